// Task of a child acting as the mailbox owner (account-child-entry.ts): streams a Maildir to the
// daemon in the frames of reader-protocol.ts; a message's content is the body of its frame.
// The Maildir is opened fd-relative with O_NOFOLLOW from the root-owned anchor the daemon
// names (owner.ts), so a swapped parent directory fails instead of leading elsewhere. Symlinks
// are never followed; tmp/ (deliveries in progress) is skipped.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ReaderFrame } from './reader-protocol.ts';
import { byName } from '../../core/by-name.ts';
import { openDirBelow } from '../common/fd-walk.ts';
import type { ChildIo, ChildTask } from '../common/account-child-entry.ts';

const CHUNK = 256 * 1024;
let io: ChildIo;

function frame(f: ReaderFrame): Promise<void> {
  return io.send({ ...f });
}

const send = (data: Buffer): Promise<void> => io.write(data);

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/** Entries of a directory, not following symlinks; null when it does not exist. */
async function listDir(dir: string): Promise<fs.Dirent[] | null> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).sort(byName);
  } catch (err) {
    if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') return null;
    throw err;
  }
}

function isFolder(dir: string): boolean {
  for (const sub of ['cur', 'new']) {
    try {
      if (fs.lstatSync(path.join(dir, sub)).isDirectory()) return true;
    } catch { /* not there */ }
  }
  return false;
}

async function readKeywords(dir: string): Promise<string[]> {
  const out: string[] = [];
  let text: string;
  try {
    const fh = await fsp.open(path.join(dir, 'dovecot-keywords'), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try { text = await fh.readFile('utf8'); } finally { await fh.close(); }
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\S+)$/.exec(line.trim());
    if (m && Number(m[1]) < 26) out[Number(m[1])] = m[2]!;
  }
  return out;
}

/** Maildir's unique part of a file name: everything before the ':2,flags' info. */
function uniquePart(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(0, i);
}

/** A message renamed (flags changed, or moved new -> cur) while we walked: find it again. */
async function findRenamed(folderDir: string, name: string): Promise<{ subdir: 'cur' | 'new'; name: string } | null> {
  const base = uniquePart(name);
  for (const subdir of ['cur', 'new'] as const) {
    for (const e of (await listDir(path.join(folderDir, subdir))) ?? []) {
      if (e.name !== name && uniquePart(e.name) === base) return { subdir, name: e.name };
    }
  }
  return null;
}

async function sendMessage(folder: string, folderDir: string, subdir: 'cur' | 'new', name: string, retried = false): Promise<void> {
  const rel = path.join(folder, subdir, name);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path.join(folderDir, subdir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    if (errCode(err) === 'ENOENT' && !retried) {
      const moved = await findRenamed(folderDir, name);
      if (moved) return sendMessage(folder, folderDir, moved.subdir, moved.name, true);
      return frame({ t: 'warn', code: 'MAIL_VANISHED', path: rel, message: 'message disappeared while the mailbox was read' });
    }
    if (errCode(err) === 'ELOOP') return frame({ t: 'warn', code: 'MAIL_SKIPPED_SYMLINK', path: rel, message: 'symbolic link in a Maildir, not followed' });
    return frame({ t: 'warn', code: 'MAIL_UNREADABLE', path: rel, message: `cannot open: ${errCode(err)}` });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return await frame({ t: 'warn', code: 'MAIL_SKIPPED_SPECIAL', path: rel, message: 'not a regular file' });
    await io.send({ t: 'message', folder, subdir, name, size: st.size, mtimeMs: st.mtimeMs, n: st.size });
    let left = st.size;
    let intact = true;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      let n = 0;
      try {
        n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch {
        n = 0;
      }
      if (n === 0) {
        // Shrunk (or failed) under us: keep the frame's promised length, and say so.
        intact = false;
        await send(Buffer.alloc(left));
        break;
      }
      left -= n;
      await send(n === buf.length ? buf : buf.subarray(0, n));
    }
    const after = await fh.stat();
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs) intact = false;
    await frame({ t: 'messageEnd', intact });
  } finally {
    await fh.close();
  }
}

async function sendFolder(folder: string, folderDir: string): Promise<void> {
  await frame({ t: 'folder', folder, keywords: await readKeywords(folderDir) });
  for (const subdir of ['new', 'cur'] as const) {
    const entries = await listDir(path.join(folderDir, subdir));
    for (const e of entries ?? []) {
      if (e.name.startsWith('.')) continue;
      if (e.isSymbolicLink()) {
        await frame({ t: 'warn', code: 'MAIL_SKIPPED_SYMLINK', path: path.join(folder, subdir, e.name), message: 'symbolic link in a Maildir, not followed' });
        continue;
      }
      if (e.isDirectory()) continue;
      await sendMessage(folder, folderDir, subdir, e.name);
    }
  }
}

export const task: ChildTask = async (request, childIo) => {
  io = childIo;
  const place = request as { anchor: string; rest: string[] } | null;
  if (!place || typeof place.anchor !== 'string' || !Array.isArray(place.rest)) throw Object.assign(new Error('malformed request'), { code: 'EINVAL' });
  // Every later path goes through this open descriptor (/proc/self/fd/N), never the path again.
  const root = `/proc/self/fd/${openDirBelow(place.anchor, place.rest)}`;
  if (!isFolder(root)) throw Object.assign(new Error('not a Maildir (no cur/ or new/)'), { code: 'ENOTMAILDIR' });
  await sendFolder('', root);
  for (const e of (await listDir(root)) ?? []) {
    if (!e.name.startsWith('.') || e.name === '.' || e.name === '..') continue;
    const dir = path.join(root, e.name);
    if (e.isSymbolicLink()) {
      await frame({ t: 'warn', code: 'MAIL_SKIPPED_SYMLINK', path: e.name, message: 'symbolic link to a folder, not followed' });
      continue;
    }
    if (!e.isDirectory() || !isFolder(dir)) continue;
    await sendFolder(e.name, dir);
  }
};
