// Which archive names may become paths under a restore target. Pure, so the child and the
// daemon (mail, DNS, databases) judge names the same way.

/** The components of a relative path, or null when it is absolute, empty, or climbs with `..`. */
export function safeComponents(rel: string): string[] | null {
  if (rel === '') return [];
  if (rel.startsWith('/') || rel.includes('\0')) return null;
  const parts = rel.split('/').filter((p, i, all) => !(p === '' && i === all.length - 1));
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') return null;
  }
  return parts;
}

/** Archive names of the `files/` part relative to the home: `files/a/b` -> `a/b`, `files` -> ''. */
export function filesRelative(name: string): string | null {
  const n = name.replace(/\/+$/, '');
  if (n === 'files') return '';
  return n.startsWith('files/') ? n.slice('files/'.length) : null;
}

/** Entries the other parts own; the file extractor skips them without a warning. */
export function isOtherPart(name: string): boolean {
  return name === 'manifest.json' || name === 'SHA256SUMS' || name === 'warnings.json'
    || /^(databases|mail|dns)(\/|$)/.test(name);
}
