// Listing a destination made of directories (SFTP, FTP, WebDAV): walk down from the base,
// descending only where the prefix can still match, and keep the files whose names match and
// are (or, for listPartials, are not) complete objects. Each backend supplies how to read one
// directory.
import type { StoredObject } from '../core/destination.ts';
import { byName } from '../core/by-name.ts';
import { isPartialName } from './partial-name.ts';

export interface DirEntry {
  /** The entry's own name, without its directory. */
  name: string;
  /** What `readDir` takes to list this entry, when it is a directory. */
  path: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  modifiedAt?: number;
}

export async function listTree(
  base: string,
  readDir: (path: string) => Promise<DirEntry[]>,
  prefix: string,
  partials: boolean,
): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readDir(dir)) {
      const name = rel + e.name;
      if (e.type === 'directory') {
        if (prefix.startsWith(name + '/') || (name + '/').startsWith(prefix)) await walk(e.path, name + '/');
      } else if (e.type === 'file' && name.startsWith(prefix) && isPartialName(name) === partials) {
        out.push({ name, size: e.size, modifiedAt: e.modifiedAt });
      }
    }
  };
  await walk(base, '');
  return out.sort(byName);
}
