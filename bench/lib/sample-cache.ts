// Sample accounts for benchmarks, generated once per profile under os.tmpdir() and reused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeSampleAccount, type SampleAccount, type SampleProfile } from '../../src/sample/make-account.ts';

/** Owner of cached trees when running as root: an unprivileged id, as an account would be. */
export const BENCH_OWNER = { uid: 65534, gid: 65534 };

export function benchOwner(): { uid: number; gid: number } {
  return process.getuid?.() === 0 ? BENCH_OWNER : { uid: process.getuid!(), gid: process.getgid!() };
}

export function cachedSample(profile: SampleProfile): SampleAccount {
  const base = path.join(os.tmpdir(), 'hostagent-bench');
  const root = path.join(base, profile);
  const marker = `${root}.json`;
  const owner = benchOwner();
  if (fs.existsSync(marker)) {
    const info = JSON.parse(fs.readFileSync(marker, 'utf8')) as SampleAccount & { uid?: number };
    if (info.uid === owner.uid && fs.existsSync(root)) return info;
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  process.stderr.write(`generating the ${profile} sample account in ${root}...\n`);
  const info = makeSampleAccount(root, profile);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', '-h', `${owner.uid}:${owner.gid}`, root]);
  fs.writeFileSync(marker, JSON.stringify({ ...info, uid: owner.uid }));
  return info;
}

/** Reads the whole tree once so every contender starts with a warm page cache. */
export function warmPageCache(root: string): void {
  // Through a pipe: GNU tar skips reading file data when its output is /dev/null.
  execFileSync('sh', ['-c', 'tar -cf - -C "$1" . | cat > /dev/null', 'sh', root], { stdio: 'ignore' });
}
