// The unprivileged Maildir writer. Started as root by mail.ts, it becomes the mail owner, then
// reads messages from stdin (frames: u32le header length, JSON header, `size` bytes) and
// delivers each one into its folder the Maildir way (tmp/ then rename), never following a
// symlink. Additive: a message whose unique name is already in cur/ or new/ is left alone.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dropPrivileges } from '../sources/common/drop-privileges.ts';
import { DirChain, DIR_FLAGS } from './dir-chain.ts';
import { openDirBelow } from '../sources/common/fd-walk.ts';

interface Header { folder: string; subdir: 'cur' | 'new'; filename: string; size: number; mtime: number }

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

function main(): void {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as { anchor: string; rest: string[]; uid: number; gid: number };
  dropPrivileges(cfg.uid, cfg.gid);
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

  let buf: Buffer = Buffer.alloc(0);
  let want: Header | null = null;
  const consume = (): void => {
    for (;;) {
      if (!want) {
        if (buf.length < 4) return;
        const len = buf.readUInt32LE(0);
        if (buf.length < 4 + len) return;
        want = JSON.parse(buf.toString('utf8', 4, 4 + len)) as Header;
        buf = buf.subarray(4 + len);
      }
      if (buf.length < want.size) return;
      const h = want;
      const data = buf.subarray(0, h.size);
      buf = buf.subarray(h.size);
      want = null;
      deliver(h, data);
    }
  };

  const deliver = (h: Header, data: Buffer): void => {
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

  process.stdin.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    consume();
  });
  process.stdin.on('end', () => {
    dirs.close();
    fs.writeSync(1, `${JSON.stringify(stats)}\n`);
    process.exit(0);
  });
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
