// Restore speed against GNU tar, measured in one run on a warm page cache: the files of the
// wordpress profile, from our own .tar.gz, restored the way a restore job does it (the whole
// archive checked against the sha256 recorded when it was written, then extraction by the
// unprivileged child) vs `tar -xzf` of the
// same archive. Target: <= 1.3x. The extraction alone is printed too, and CPU time (user +
// system, with threads and child processes) of both, steadier than wall time on a busy machine.
// Usage: node bench/restore/run.ts [--profile wordpress] [--runs 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import type { SampleProfile } from '../../src/sample/make-account.ts';
import { writeAccountArchive, checkRecordedSha256 } from '../../src/archive/index.ts';
import { extractFiles } from '../../src/restore/extract-files.ts';
import { localArchive } from '../../src/archive/archive-source.ts';
import { cachedSample, warmPageCache, benchOwner } from '../lib/sample-cache.ts';
import { timeShell, median, hasCommand, ownCpuMs } from '../lib/timing.ts';

// Not strict: `npm run bench -- ...` hands every benchmark the same arguments.
const { values } = parseArgs({ options: { profile: { type: 'string', default: 'wordpress' }, runs: { type: 'string', default: '1' } }, strict: false });
const profile = values.profile as SampleProfile;
const runs = Math.max(1, Number(values.runs));
if (!hasCommand('tar')) { console.error('bench/restore needs GNU tar'); process.exit(2); }

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-bench-restore-'));
fs.chmodSync(work, 0o755);
try {
  const sample = cachedSample(profile);
  const owner = benchOwner();
  console.log(`profile ${profile}: ${sample.files} files, ${(sample.bytes / 2 ** 20).toFixed(0)} MiB; ${os.cpus().length} CPUs; ${runs} run(s), median`);
  warmPageCache(sample.root);
  const archive = path.join(work, 'account.tar.gz');
  const { sha256 } = await writeAccountArchive({ outPath: archive, compression: 'gzip', manifest: { format: 1, kind: 'account_full', username: 'bench' }, files: { home: sample.root, uid: owner.uid, gid: owner.gid, excludes: [] } });
  warmPageCache(work);

  // Each contender starts with nothing left to write back (dirty pages of the archive or of the
  // other contender's tree, flushed during a run, would be charged to whoever runs then) and
  // with the archive just read, so a host that reclaims idle page cache slows neither one.
  const fresh = (name: string) => {
    const dir = path.join(work, name);
    fs.rmSync(dir, { recursive: true, force: true });
    execFileSync('sync');
    execFileSync('cat', [archive], { stdio: ['ignore', 'ignore', 'inherit'] });
    fs.mkdirSync(dir, { mode: 0o700 });
    if (process.getuid?.() === 0) fs.chownSync(dir, owner.uid, owner.gid);
    return dir;
  };
  const tarMs: number[] = [];
  const tarCpuMs: number[] = [];
  const oursCpuMs: number[] = [];
  const oursMs: number[] = [];
  const extractMs: number[] = [];
  let warnings = 0;
  for (let i = 0; i < runs; i++) {
    const ref = fresh('ref');
    const tarRun = timeShell('tar -xzf "$1" -C "$2"', [archive, ref]);
    tarMs.push(tarRun.wallMs);
    tarCpuMs.push(tarRun.cpuMs);
    const dir = fresh('ours');
    const c0 = ownCpuMs();
    const t0 = performance.now();
    const checked = await checkRecordedSha256(localArchive([archive], 'gzip'), { sha256, files: 0 });
    const t1 = performance.now();
    await extractFiles({ source: localArchive([archive], 'gzip'), root: dir, uid: owner.uid, gid: owner.gid, gzipMembers: checked.members, warn: () => { warnings++; } });
    const t2 = performance.now();
    oursMs.push(t2 - t0);
    oursCpuMs.push(ownCpuMs() - c0);
    extractMs.push(t2 - t1);
  }
  const tar = median(tarMs);
  const ours = median(oursMs);
  const extract = median(extractMs);
  console.log(`tar -xzf        ${tar.toFixed(0)} ms`);
  console.log(`ours (check+x)  ${ours.toFixed(0)} ms  ratio ${(ours / tar).toFixed(2)}x (target <= 1.3x)${warnings ? `, ${warnings} warnings` : ''}`);
  console.log(`ours (extract)  ${extract.toFixed(0)} ms  ratio ${(extract / tar).toFixed(2)}x`);
  if (runs > 1) {
    // Each run times tar and ours back to back: their ratio shrugs off load that drifts between runs.
    const each = oursMs.map((ms, i) => ms / tarMs[i]!);
    console.log(`per run: ${each.map((r) => `${r.toFixed(2)}x`).join(' ')}; median ${median(each).toFixed(2)}x`);
  }
  console.log(`CPU time: tar ${median(tarCpuMs).toFixed(0)} ms, ours ${median(oursCpuMs).toFixed(0)} ms, ratio ${(median(oursCpuMs) / median(tarCpuMs)).toFixed(2)}x`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
