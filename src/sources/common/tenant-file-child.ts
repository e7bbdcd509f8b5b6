// Task of a child acting as an account (account-child-entry.ts): reads or replaces one file the
// account decides about, walking from a root-owned anchor with O_NOFOLLOW (fd-walk.ts).
//   read:  sends {t:'file', mtimeMs, mode} with the content as body; a file larger than
//          maxBytes, a symlink or anything not a regular file fails.
//   write: stdin becomes the file. It is written under a fresh random name created with
//          O_EXCL|O_NOFOLLOW in the same directory, then renamed over the target, so neither a
//          planted name nor a reader seeing half a file is possible.
//   mkdir: makes the last component a directory (its parents must exist); answers
//          {t:'dir', created} (false: a directory was there already; anything else fails).
import fs from 'node:fs';
import { at, DIR_NOFOLLOW, isComponent, openDirBelow } from './fd-walk.ts';
import { readFileAt, replaceFileAt, fileError } from './fd-file.ts';
import type { ChildTask } from './account-child-entry.ts';

export type TenantFileRequest =
  | { op: 'read'; anchor: string; rest: string[]; maxBytes: number }
  | { op: 'write'; anchor: string; rest: string[]; mode: number; createDirs: boolean }
  | { op: 'mkdir'; anchor: string; rest: string[]; mode: number };

async function readInput(input: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export const task: ChildTask = async (request, io) => {
  const req = request as TenantFileRequest;
  if (!Array.isArray(req.rest) || req.rest.length === 0 || !req.rest.every(isComponent)) throw fileError('malformed request', 'EINVAL');
  const name = req.rest[req.rest.length - 1]!;
  const dirs = req.rest.slice(0, -1);
  if (req.op === 'read') {
    const dirFd = openDirBelow(req.anchor, dirs);
    try {
      const { data, st } = readFileAt(dirFd, name, req.maxBytes);
      await io.send({ t: 'file', mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 }, data);
    } finally {
      fs.closeSync(dirFd);
    }
    return;
  }
  if (req.op === 'mkdir') {
    const dirFd = openDirBelow(req.anchor, dirs);
    try {
      let created = true;
      try {
        fs.mkdirSync(at(dirFd, name), req.mode);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        created = false;
      }
      // Whatever is there now must be a directory reached without following a link.
      fs.closeSync(fs.openSync(at(dirFd, name), DIR_NOFOLLOW));
      await io.send({ t: 'dir', created });
    } finally {
      fs.closeSync(dirFd);
    }
    return;
  }
  const data = await readInput(io.input);
  const dirFd = openDirBelow(req.anchor, dirs, req.createDirs);
  try {
    replaceFileAt(dirFd, name, data, req.mode);
  } finally {
    fs.closeSync(dirFd);
  }
};
