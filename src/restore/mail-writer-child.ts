// Task of a child acting as the mail owner (account-child-entry.ts): reads messages from the
// daemon in the account-child framing (a header {folder, subdir, filename, mtime} with the
// message as its body) and delivers each one into its folder the Maildir way (tmp/ then rename),
// never following a symlink. Additive: a message whose unique name is already in cur/ or new/ is
// left alone. Answers {t:'stats', written, present}.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AccountChildReader } from '../sources/common/account-child-reader.ts';
import type { ChildTask } from '../sources/common/account-child-entry.ts';
import { DirChain, DIR_FLAGS } from './dir-chain.ts';
import { openDirBelow } from '../sources/common/fd-walk.ts';

export interface MessageHeader { t: 'message'; folder: string; subdir: 'cur' | 'new'; filename: string; mtime: number }

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

export const task: ChildTask = async (request, io) => {
  const cfg = request as { anchor: string; rest: string[] };
  process.umask(0o077);
  // Made as the owner: a wiped Maildir comes back owned by the right user, and root never
  // creates anything in a tenant-controlled path. Opened fd-relative from the root-owned anchor
  // with O_NOFOLLOW: a parent swapped for a symlink fails instead of leading elsewhere.
  const rootFd = openDirBelow(cfg.anchor, cfg.rest, true);
  const dirs = new DirChain(rootFd);
  const present = new Map<string, Set<string>>();
  const stats = { written: 0, present: 0 };

  /** The folder's directory with cur/new/tmp, created when missing; its known unique names. */
  const folderFd = (folder: string, sub: string): number => {
    const parts = folder === '' ? [sub] : [folder, sub];
    if (!present.has(folder)) {
      const names = new Set<string>();
      for (const s of ['cur', 'new', 'tmp']) {
        const fd = dirs.open(folder === '' ? [s] : [folder, s], true);
        if (s !== 'tmp') for (const n of fs.readdirSync(`/proc/self/fd/${fd}`)) names.add(n.split(':')[0]!);
      }
      if (folder !== '') {
        const fd = dirs.open([folder], false);
        try { fs.closeSync(fs.openSync(`/proc/self/fd/${fd}/maildirfolder`, O_WRONLY | O_CREAT | O_NOFOLLOW, 0o600)); } catch { /* optional marker */ }
      }
      present.set(folder, names);
    }
    return dirs.open(parts, true);
  };

  const deliver = (h: MessageHeader, data: Buffer): void => {
    const unique = h.filename.split(':')[0]!;
    folderFd(h.folder, 'tmp');
    if (present.get(h.folder)!.has(unique)) {
      stats.present++;
      return;
    }
    // The folder's tmp/ and cur|new/ are held open together; each opened without following links.
    const base = dirs.open(h.folder === '' ? [] : [h.folder], false);
    const tmpFd = fs.openSync(`/proc/self/fd/${base}/tmp`, DIR_FLAGS);
    const subFd = fs.openSync(`/proc/self/fd/${base}/${h.subdir}`, DIR_FLAGS);
    try {
      const tmpName = `${unique}.restore-${randomBytes(6).toString('hex')}`;
      const fd = fs.openSync(`/proc/self/fd/${tmpFd}/${tmpName}`, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        let off = 0;
        while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
        fs.futimesSync(fd, h.mtime / 1000, h.mtime / 1000);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(`/proc/self/fd/${tmpFd}/${tmpName}`, `/proc/self/fd/${subFd}/${h.filename}`);
    } finally {
      fs.closeSync(tmpFd);
      fs.closeSync(subFd);
    }
    present.get(h.folder)!.add(unique);
    stats.written++;
  };

  // The daemon's frames; their total is bounded by the archive it restores from.
  const input = new AccountChildReader(io.input as Readable, Number.MAX_SAFE_INTEGER);
  try {
    for (let h = await input.next(); h !== null; h = await input.next()) {
      deliver(h as unknown as MessageHeader, await input.bodyBuffer());
    }
  } finally {
    dirs.close();
  }
  await io.send({ t: 'stats', ...stats });
};
