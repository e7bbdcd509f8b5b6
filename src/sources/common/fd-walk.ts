// Opens a path below an anchor one component at a time, each relative to the directory opened
// before (/proc/self/fd/N/name) and with O_NOFOLLOW: a symlink anywhere on the way fails with
// ELOOP instead of being followed, however the tenant swaps names meanwhile. Used inside
// children acting as an account; the anchor is a directory only root can change.
import fs from 'node:fs';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
export const DIR_NOFOLLOW = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

export const at = (dirFd: number, name: string): string => `/proc/self/fd/${dirFd}/${name}`;

/** Whether `name` is one plain path component. */
export function isComponent(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** The fd of directory anchor/dirs[0]/dirs[1]/…; with `create`, missing ones are made (0755). */
export function openDirBelow(anchor: string, dirs: readonly string[], create = false): number {
  return walkFrom(fs.openSync(anchor, DIR_NOFOLLOW), dirs, create);
}

/** Like openDirBelow, from an open directory (which stays open; the caller closes both). */
export function openDirBelowFd(dirFd: number, dirs: readonly string[], create = false): number {
  return walkFrom(fs.openSync(at(dirFd, '.'), DIR_NOFOLLOW), dirs, create);
}

/** Walks `dirs` down from `start`, which it takes over (closes). */
function walkFrom(start: number, dirs: readonly string[], create: boolean): number {
  let fd = start;
  for (const name of dirs) {
    if (!isComponent(name)) {
      fs.closeSync(fd);
      throw Object.assign(new Error(`"${String(name)}" is not a path component`), { code: 'EINVAL' });
    }
    let next: number;
    try {
      try {
        next = fs.openSync(at(fd, name), DIR_NOFOLLOW);
      } catch (err) {
        if (!create || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        fs.mkdirSync(at(fd, name), 0o755);
        next = fs.openSync(at(fd, name), DIR_NOFOLLOW);
      }
    } finally {
      fs.closeSync(fd);
    }
    fd = next;
  }
  return fd;
}
