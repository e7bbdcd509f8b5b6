// One file in a directory opened fd-relative (fd-walk.ts): read without following a symlink, or
// replaced through a fresh temporary name created with O_EXCL|O_NOFOLLOW and renamed over it, so
// a name planted in the directory is never written through and no reader sees half a file.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { at } from './fd-walk.ts';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

export const fileError = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Reads regular file `name` in directory `dirFd`, never following a symlink. */
export function readFileAt(dirFd: number, name: string, maxBytes: number): { data: Buffer; st: fs.Stats } {
  // O_NONBLOCK: a FIFO planted under the name must not hang the child.
  const fd = fs.openSync(at(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw fileError(`${name} is not a regular file`, 'EINVAL');
    if (st.size > maxBytes) throw fileError(`${name} is larger than ${maxBytes} bytes`, 'EFBIG');
    const data = Buffer.alloc(st.size);
    let off = 0;
    while (off < data.length) {
      const n = fs.readSync(fd, data, off, data.length - off, off);
      if (n === 0) break;
      off += n;
    }
    // Shrunk while read: send what it holds now, never bytes past its end.
    return { data: data.subarray(0, off), st };
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `name` in `dirFd` through a fresh O_EXCL|O_NOFOLLOW temporary name and rename(). */
export function replaceFileAt(dirFd: number, name: string, data: Buffer, mode: number): void {
  const tmp = `.${name}.hostagent-${randomBytes(12).toString('hex')}`;
  const fd = fs.openSync(at(dirFd, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    fs.writeSync(fd, data);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(at(dirFd, tmp), { force: true });
    throw err;
  }
  fs.closeSync(fd);
  // rename() replaces the name itself, never what a symlink under that name points to.
  fs.renameSync(at(dirFd, tmp), at(dirFd, name));
}

