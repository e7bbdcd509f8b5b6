// Snapshot speed against GNU tools, measured in one run on a warm page cache:
//   gzip: ours vs `tar -cf - | pigz -6`   (targets: time <= 0.5x, size <= 1.03x), at the default
//         archive.gzipLevel and, for comparison, at level 6 (pigz's)
//   zstd: ours vs `tar -cf - | zstd -3 -T2` (target: time <= 1.2x)
//   peak RSS of the archive writer process on the large profile, gzip and zstd (target: <= 150 MiB)
// Our side runs with the environment of systemd/hostagent.service (malloc settings), as the
// daemon does; the RSS without it is printed too. Ours is the build that ships
// (scripts/build-shipped.ts): the file reader a snapshot starts loads JavaScript, as on a node. Our
// time is the snapshot's own, measured inside the process from the call to its return (reader
// start-up included): the daemon is resident, so loading its modules is not part of a snapshot.
// The process's whole time is printed beside it.
// Before every contender the sample is read through again (this host's kdamond reclaims idle
// page cache) and dirty pages are synced, so no contender pays for another's writeback.
// Usage: node bench/snapshot/run.ts [--profile wordpress] [--runs 1] [--rss-profile large] [--no-rss]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { SampleProfile } from '../../src/sample/make-account.ts';
import { DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL } from '../../src/archive/codec.ts';
import { cachedSample, warmPageCache, benchOwner } from '../lib/sample-cache.ts';
import { timeShell, timeCommand, median, hasCommand, type Timing } from '../lib/timing.ts';
import { unitEnvironment, describeEnvironment } from '../lib/unit-env.ts';
import { buildShipped } from '../../scripts/build-shipped.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'wordpress' },
    runs: { type: 'string', default: '1' },
    'rss-profile': { type: 'string', default: 'large' },
    'no-rss': { type: 'boolean', default: false },
  },
  // `npm run bench -- ...` hands every benchmark the same arguments; the others' are ignored here.
  strict: false,
});
const profile = values.profile as SampleProfile;
const runs = Math.max(1, Number(values.runs));
const WRITE_ONCE = fileURLToPath(new URL('./write-once.ts', import.meta.url));

for (const cmd of ['tar', 'pigz', 'zstd', '/usr/bin/time']) {
  if (!hasCommand(cmd)) { console.error(`bench/snapshot needs ${cmd}`); process.exit(2); }
}

interface Ours { ms: number; bytes: number; files: number; warnings: number; maxRssMiB: number }

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-bench-out-'));
const cacheRoot = path.join(work, 'cache');
const unitEnv = unitEnvironment(cacheRoot);
const build = buildShipped();

/** Same start for every contender: the sample in the page cache, nothing dirty. */
function settle(home: string, out: string): void {
  fs.rmSync(out, { force: true });
  warmPageCache(home);
  spawnSync('sync');
}

function runRef(home: string, out: string, script: string): Timing {
  settle(home, out);
  return timeShell(script, [home, out]);
}

function runOurs(home: string, out: string, compression: 'gzip' | 'zstd', level?: number, env: Record<string, string> = unitEnv): Ours & Timing & { processWallMs: number } {
  settle(home, out);
  const { uid, gid } = benchOwner();
  const r = timeCommand([process.execPath, WRITE_ONCE, home, out, compression, String(uid), String(gid), ...(level ? [String(level)] : [])], { ...env, HOSTAGENT_BUILD: build.dir });
  const ours = JSON.parse(r.stdout) as Ours;
  return { ...ours, ...r, wallMs: ours.ms, processWallMs: r.wallMs };
}

function size(p: string): number {
  return fs.statSync(p).size;
}

try {
  const sample = cachedSample(profile);
  const home = sample.root;
  console.log(`profile ${profile}: ${sample.files} files, ${(sample.bytes / 2 ** 20).toFixed(0)} MiB; ${os.cpus().length} CPUs; ${runs} run(s), median`);
  console.log(`our environment: ${describeEnvironment(unitEnv, cacheRoot)} (from systemd/hostagent.service)`);

  const pigzOut = path.join(work, 'ref.tar.gz');
  const zstdOut = path.join(work, 'ref.tar.zst');
  const oursGz = path.join(work, 'ours.tar.gz');
  const oursZst = path.join(work, 'ours.tar.zst');
  const oursGz6 = path.join(work, 'ours6.tar.gz');
  const t = { pigz: [] as Timing[], zstd: [] as Timing[], gzip: [] as Timing[], gzip6: [] as Timing[], ozstd: [] as Timing[] };
  const processWall: number[] = [];
  for (let i = 0; i < runs; i++) {
    t.pigz.push(runRef(home, pigzOut, 'tar -cf - -C "$1" . | pigz -6 > "$2"'));
    t.gzip.push(runOurs(home, oursGz, 'gzip'));
    t.gzip6.push(runOurs(home, oursGz6, 'gzip', 6));
    t.zstd.push(runRef(home, zstdOut, 'tar -cf - -C "$1" . | zstd -q -3 -T2 > "$2"'));
    const z = runOurs(home, oursZst, 'zstd');
    t.ozstd.push(z);
    processWall.push(z.processWallMs);
  }
  const wall = (list: Timing[]): number => median(list.map((x) => x.wallMs));
  const cpu = (list: Timing[]): number => median(list.map((x) => x.cpuMs));
  const readable = spawnSync('sh', ['-c', 'tar -tzf "$1" > /dev/null && tar --zstd -tf "$2" > /dev/null', 'sh', oursGz, oursZst]).status === 0;

  const row = (name: string, list: Timing[], bytes: number): string =>
    `  ${name.padEnd(28)} ${(wall(list) / 1000).toFixed(2).padStart(7)} s wall ${(cpu(list) / 1000).toFixed(2).padStart(7)} s CPU ${(bytes / 2 ** 20).toFixed(1).padStart(9)} MiB`;
  const ratio = (label: string, value: number, target: number): string =>
    `  ${label.padEnd(28)} ${value.toFixed(3)}  (target <= ${target}) ${value <= target ? 'ok' : 'MISSED'}`;
  console.log(row('tar | pigz -6', t.pigz, size(pigzOut)));
  console.log(row(`ours gzip (level ${DEFAULT_GZIP_LEVEL})`, t.gzip, size(oursGz)));
  console.log(row('ours gzip (level 6)', t.gzip6, size(oursGz6)));
  console.log(row('tar | zstd -3 -T2', t.zstd, size(zstdOut)));
  console.log(row(`ours zstd (level ${DEFAULT_ZSTD_LEVEL})`, t.ozstd, size(oursZst)));
  console.log(ratio('gzip time ours/pigz', wall(t.gzip) / wall(t.pigz), 0.5));
  console.log(ratio('gzip size ours/pigz', size(oursGz) / size(pigzOut), 1.03));
  console.log(`  (at level 6: time ${(wall(t.gzip6) / wall(t.pigz)).toFixed(3)}, size ${(size(oursGz6) / size(pigzOut)).toFixed(3)})`);
  console.log(ratio('zstd time ours/zstd', wall(t.ozstd) / wall(t.zstd), 1.2));
  console.log(`  (zstd size ours/zstd ${(size(oursZst) / size(zstdOut)).toFixed(3)}; ours zstd counting its process start-up: `
    + `${(median(processWall) / 1000).toFixed(2)} s, ratio ${(median(processWall) / wall(t.zstd)).toFixed(3)})`);
  console.log(`  (CPU-time ratios, steadier on a busy machine: gzip ${(cpu(t.gzip) / cpu(t.pigz)).toFixed(3)}, zstd ${(cpu(t.ozstd) / cpu(t.zstd)).toFixed(3)})`);
  console.log(`  archives readable by GNU tar: ${readable ? 'yes' : 'NO'}`);
  fs.rmSync(pigzOut, { force: true });
  fs.rmSync(oursGz6, { force: true });
  fs.rmSync(zstdOut, { force: true });

  if (!values['no-rss']) {
    const big = cachedSample(values['rss-profile'] as SampleProfile);
    const label = `${values['rss-profile']} profile (${(big.bytes / 2 ** 30).toFixed(2)} GiB)`;
    for (const [compression, out] of [['gzip', oursGz], ['zstd', oursZst]] as const) {
      const r = runOurs(big.root, out, compression);
      console.log(`  peak RSS, ${label}, ${compression}: ${r.maxRssMiB.toFixed(1)} MiB  (target <= 150) ${r.maxRssMiB <= 150 ? 'ok' : 'MISSED'}`);
    }
    const bare = runOurs(big.root, oursGz, 'gzip', undefined, {});
    console.log(`  (without the unit's environment, gzip: ${bare.maxRssMiB.toFixed(1)} MiB)`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
  build.remove();
}
