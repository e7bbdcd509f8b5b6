// What of a home directory goes into a snapshot, decided in one place for the reader child
// and re-checked by the daemon on what the child sends.
import path from 'node:path';

/** Of `.ssh/` only `authorized_keys` is kept: private keys never enter an archive. */
export function sshAllows(rel: string): boolean {
  if (rel === '.ssh' || !rel.startsWith('.ssh/')) return true;
  return rel === '.ssh/authorized_keys';
}

/**
 * Account excludes are globs relative to the home directory. A glob without a '/' matches a
 * name at any depth (like `*.log`); a trailing '/' is ignored. An excluded directory is
 * skipped with everything below it.
 */
export function makeExcluder(globs: readonly string[]): (rel: string) => boolean {
  const patterns = globs
    .map((g) => g.trim().replace(/^\.\/+/, '').replace(/\/+$/, ''))
    .filter((g) => g.length > 0);
  if (patterns.length === 0) return () => false;
  return (rel) => {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    for (const g of patterns) {
      if (path.matchesGlob(rel, g)) return true;
      if (!g.includes('/') && path.matchesGlob(base, g)) return true;
    }
    return false;
  };
}

/** True for a '/'-separated relative path with no empty, '.' or '..' component and no NUL. */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.startsWith('/') || p.includes('\0')) return false;
  for (const part of p.split('/')) {
    if (part === '' || part === '.' || part === '..') return false;
  }
  return true;
}
