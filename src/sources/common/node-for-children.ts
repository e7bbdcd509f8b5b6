// A process started directly as an unprivileged uid (the demo's daemon) runs this same Node.
// Children acting as an account do not need it: they start as root and drop (account-child.ts).
// Installed, it lives under /usr and anyone may run it; in development it may sit in a
// directory only root can enter (e.g. ~root/.cache), where a tenant uid gets EACCES. Then a
// root-owned copy in a root-owned 0755 directory is used instead. A directory of that name
// that someone else made or can write to is never trusted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let cached: string | undefined;

/** Whether a uid with no special rights can execute `file` (others' x bits on the way). */
function reachableByOthers(file: string): boolean {
  try {
    const real = fs.realpathSync(file);
    if ((fs.statSync(real).mode & 0o001) === 0) return false;
    for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false;
      if (dir === path.dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

function trustworthyCopy(dir: string, size: number): boolean {
  try {
    const d = fs.lstatSync(dir);
    const f = fs.lstatSync(path.join(dir, 'node'));
    const me = process.getuid!();
    return d.isDirectory() && d.uid === me && (d.mode & 0o022) === 0
      && f.isFile() && f.uid === me && (f.mode & 0o022) === 0 && (f.mode & 0o001) !== 0 && f.size === size;
  } catch {
    return false;
  }
}

/** A path of this Node binary that an unprivileged uid can execute. */
export function nodeForUnprivilegedChildren(): string {
  if (cached) return cached;
  if (process.getuid?.() !== 0 || reachableByOthers(process.execPath)) return (cached = process.execPath);
  const size = fs.statSync(process.execPath).size;
  const stable = path.join(os.tmpdir(), `hostagent-node-${process.version}`);
  if (trustworthyCopy(stable, size)) return (cached = path.join(stable, 'node'));
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-node-'));
  fs.chmodSync(fresh, 0o755);
  fs.copyFileSync(process.execPath, path.join(fresh, 'node'));
  fs.chmodSync(path.join(fresh, 'node'), 0o755);
  try {
    // First one wins; a later process finds it and checks it like any other.
    fs.renameSync(fresh, stable);
    if (trustworthyCopy(stable, size)) return (cached = path.join(stable, 'node'));
  } catch { /* a directory of that name exists: keep our private copy */ }
  return (cached = path.join(fresh, 'node'));
}
