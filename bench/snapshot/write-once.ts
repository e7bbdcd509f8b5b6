// One archive write in its own process, so the benchmark can read this process's peak RSS
// (the daemon's share of a snapshot; the file reader is its own child). With HOSTAGENT_BUILD set
// to a build (scripts/build-shipped.ts), the archive code and the reader come from it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Compression } from '../../src/archive/index.ts';

const build = process.env.HOSTAGENT_BUILD;
const { writeAccountArchive } = await import(build ? pathToFileURL(path.join(build, 'src/archive/index.js')).href : '../../src/archive/index.ts') as typeof import('../../src/archive/index.ts');

const [home, outPath, compression, uid, gid, level] = process.argv.slice(2);
const t = process.hrtime.bigint();
const r = await writeAccountArchive({
  outPath, compression: compression as Compression, level: level ? Number(level) : undefined,
  manifest: { format: 1, kind: 'account_full', username: 'bench' },
  files: { home, uid: Number(uid), gid: Number(gid), excludes: [] },
});
process.stdout.write(`${JSON.stringify({
  ms: Number(process.hrtime.bigint() - t) / 1e6,
  bytes: r.bytes,
  files: r.files,
  warnings: r.warnings.length,
  maxRssMiB: process.resourceUsage().maxRSS / 1024,
})}\n`);
