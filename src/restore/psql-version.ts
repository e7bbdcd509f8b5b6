// Whether psql has \restrict (added in 13.22, 14.19, 15.14, 16.10, 17.6 and 18): asked once per
// command from `psql --version`.
import { runChild } from '../sources/common/index.ts';

const cache = new Map<string, Promise<boolean>>();

export function restrictSupported(version: string): boolean {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  const firstMinor: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };
  if (major >= 18) return true;
  return major in firstMinor && minor >= firstMinor[major]!;
}

export function psqlHasRestrict(command: string): Promise<boolean> {
  let p = cache.get(command);
  if (!p) {
    p = runChild({ command, args: ['--version'] }).then((r) => r.code === 0 && restrictSupported(r.stdout.toString('utf8')), () => false);
    cache.set(command, p);
  }
  return p;
}
