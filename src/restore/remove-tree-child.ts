// Task of a child acting as the account (account-child-entry.ts): empties a directory tree the
// account owns. Every directory is opened fd-relative with O_NOFOLLOW and made u+rwx first (a
// tree restored read-only must lose its entries too); unlink and rmdir never follow a link. A
// tenant racing the removal can only affect what the account could remove anyway. An entry that
// cannot go is left, the rest still goes, and the first failure is reported.
import fs from 'node:fs';
import { at, DIR_NOFOLLOW, openDirBelow } from '../sources/common/fd-walk.ts';
import type { ChildTask } from '../sources/common/account-child-entry.ts';

const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

/** Opens directory `p`; one the account locked (mode 000, say) is made u+rwx first. */
function openUnlocked(p: string): number {
  try {
    return fs.openSync(p, DIR_NOFOLLOW);
  } catch (err) {
    if (code(err) !== 'EACCES' || !fs.lstatSync(p).isDirectory()) throw err;
    // By path, as the account: a link swapped in meanwhile only reaches what the account may chmod.
    fs.chmodSync(p, 0o700);
    return fs.openSync(p, DIR_NOFOLLOW);
  }
}

function empty(dirFd: number, rel: string, failures: string[]): void {
  try {
    fs.fchmodSync(dirFd, (fs.fstatSync(dirFd).mode & 0o7777) | 0o700);
  } catch (err) {
    failures.push(`${rel || '.'}: ${code(err)}`);
  }
  let names: string[];
  try {
    names = fs.readdirSync(at(dirFd, '.'));
  } catch (err) {
    failures.push(`${rel || '.'}: ${code(err)}`);
    return;
  }
  for (const name of names) {
    const p = at(dirFd, name);
    const r = rel ? `${rel}/${name}` : name;
    try {
      let sub: number | null = null;
      try {
        sub = openUnlocked(p);
      } catch (err) {
        // Not a directory (or a link to one): the name itself goes.
        if (code(err) !== 'ENOTDIR' && code(err) !== 'ELOOP') throw err;
      }
      if (sub === null) {
        fs.unlinkSync(p);
        continue;
      }
      try {
        empty(sub, r, failures);
      } finally {
        fs.closeSync(sub);
      }
      fs.rmdirSync(p);
    } catch (err) {
      if (code(err) !== 'ENOENT') failures.push(`${r}: ${code(err)}`);
    }
  }
}

export const task: ChildTask = async (request) => {
  const req = request as { anchor: string; rest: string[] };
  const top = openDirBelow(req.anchor, req.rest);
  const failures: string[] = [];
  try {
    empty(top, '', failures);
  } finally {
    fs.closeSync(top);
  }
  if (failures.length) throw Object.assign(new Error(`${failures.length} entries could not be removed, first ${failures[0]}`), { code: 'EACCES' });
};
