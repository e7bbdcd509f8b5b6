// Who decides what a path means: whoever can write any of its components. Walked with lstat
// from /, as root, only as far as root alone decides: every directory so far is root-owned and
// not writable by group or others (a sticky directory such as /tmp counts too: there only an
// entry's owner may rename or remove it). The first component beyond that is the deciding one.
// Root opens nothing below it; a child running as its owner does (tenant-file.ts).
import fs from 'node:fs';
import path from 'node:path';

export interface PathDecision {
  /** The deepest directory only root can change; the path below it is `rest`. */
  anchor: string;
  /** Components below the anchor. Empty when root alone decides the whole path. */
  rest: string[];
  /**
   * The uid and gid of the first component below the anchor: who decides the rest. uid 0 means
   * a root-owned directory others may write to (no single owner decides). Null when root alone
   * decides, or when the first component does not exist yet (root would create it).
   */
  decider: { uid: number; gid: number } | null;
}

const MAX_ROOT_LINKS = 40;

function rootOnly(st: fs.Stats): boolean {
  return st.uid === 0 && ((st.mode & 0o022) === 0 || (st.mode & 0o1000) !== 0);
}

/** Splits an absolute path into its components; refuses relative paths and "..". */
export function pathComponents(absPath: string): string[] {
  if (!path.isAbsolute(absPath)) throw new Error(`${absPath} is not an absolute path`);
  const parts = absPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`${absPath} contains ".."`);
  return parts;
}

export function whoDecides(absPath: string): PathDecision {
  let todo = pathComponents(absPath);
  let done: string[] = [];
  let links = 0;
  while (todo.length) {
    const name = todo[0]!;
    const here = '/' + [...done, name].join('/');
    let st: fs.Stats;
    try {
      st = fs.lstatSync(here);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return { anchor: '/' + done.join('/'), rest: todo, decider: null };
    }
    if (st.isSymbolicLink() && st.uid === 0) {
      // Only root can place an entry in a root-only directory: root chose this link.
      if (++links > MAX_ROOT_LINKS) throw Object.assign(new Error(`${absPath}: too many symbolic links`), { code: 'ELOOP' });
      const target = fs.readlinkSync(here);
      const joined = path.posix.resolve('/' + done.join('/'), target);
      todo = [...pathComponents(path.posix.normalize(joined)), ...todo.slice(1)];
      done = [];
      continue;
    }
    const last = todo.length === 1;
    if (st.uid !== 0 || (st.isDirectory() && !rootOnly(st)) || (!last && !st.isDirectory())) {
      return { anchor: '/' + done.join('/'), rest: todo, decider: { uid: st.uid, gid: st.gid } };
    }
    done.push(name);
    todo = todo.slice(1);
  }
  return { anchor: '/' + done.join('/'), rest: [], decider: null };
}
