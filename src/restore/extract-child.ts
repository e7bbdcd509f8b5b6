// Task of a child acting as the target account (account-child-entry.ts, started by
// extract-files.ts): reads the compressed archive on stdin and writes the `files/` part under the
// target directory.
//
// Every path is walked one component at a time relative to an open directory
// (/proc/self/fd/N/name) with O_NOFOLLOW, and files are created with O_EXCL|O_NOFOLLOW, so no
// write ever goes through a symlink, whether it came with the archive or was already there.
// Entries are applied one at a time, in archive order (ordered-work.ts), with synchronous
// calls, while the decompressor runs ahead on the threadpool.
// What is refused is skipped and reported as a warning frame (account-child-frame.ts); a damaged
// archive ends the task with the code EXTRACT_CORRUPT.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { TarReader, type TarEntry } from '../archive/tar-reader.ts';
import type { ChildIo, ChildTask } from '../sources/common/account-child-entry.ts';
import { DirChain, DIR_FLAGS } from './dir-chain.ts';
import { safeComponents, filesRelative, isOtherPart } from './entry-path.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { OrderedWork } from './ordered-work.ts';
import { EXTRACT_CORRUPT } from './extract-exit.ts';
import { ZstdFrameSplitter } from '../archive/zstd-frames.ts';
import { inflateMembers } from '../archive/gzip-members.ts';
import { Readable } from 'node:stream';

export interface ExtractRequest {
  root: string;
  compression: 'gzip' | 'zstd';
  /** Decode gzip members in parallel: the verification pass showed they have our writer's shape. */
  gzipMembers: boolean;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const PROGRESS_BYTES = 16 * 1024 * 1024;
const INFLATE_CHUNK = 1 << 20;
const MAX_HELD = 64 * 1024 * 1024;

let io: ChildIo;
let finish: (err?: Error) => void = () => {};

/** Frames go out in order (stdout is a pipe, written synchronously); the daemon bounds them. */
function send(msg: { t: string } & Record<string, unknown>): void {
  void io.send(msg).catch(() => {});
}

function warn(code: string, path: string, message: string): void {
  send({ t: 'w', code, path, message });
}

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

/** The data of an entry that waits its turn: held in `pending`, then passed to `live`. */
interface EntryBody { pending: Buffer[]; live: ((c: Buffer) => void) | null; ended: boolean; onEnd: (() => void) | null }

interface Stats { files: number; directories: number; symlinks: number; hardlinks: number; bytes: number; skipped: number }

function main(cfg: ExtractRequest): void {
  process.umask(0);
  const rootFd = fs.openSync(cfg.root, DIR_FLAGS);
  const dirs = new DirChain(rootFd);
  const stats: Stats = { files: 0, directories: 0, symlinks: 0, hardlinks: 0, bytes: 0, skipped: 0 };
  /** Regular files this run created, by relative path: the only valid hard link sources. */
  const created = new Map<string, { dev: number; ino: number }>();
  let reported = 0;
  const deferredDirs: { parts: string[]; mode: number; mtime: Date | undefined }[] = [];

  const work = new OrderedWork();
  // Data collected but not yet written; past the limit the decompressor pauses.
  let held = 0;
  let paused = false;
  const hold = (n: number): void => {
    held += n;
    if (!paused && held > MAX_HELD) { paused = true; decompress.pause(); }
  };
  const release = (n: number): void => {
    held -= n;
    if (paused && held < MAX_HELD / 2) { paused = false; decompress.resume(); }
  };

  const skip = (code: string, path: string, message: string) => {
    stats.skipped++;
    warn(code, path, message);
  };

  /** Removes whatever is at parent/name without following it; a directory goes with its tree. */
  const clear = (parentFd: number, name: string, parts: string[], keepDirectory: boolean): boolean => {
    const at = `/proc/self/fd/${parentFd}/${name}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return false;
      throw err;
    }
    if (st.isDirectory()) {
      if (keepDirectory) return true;
      dirs.forget(parts);
      fs.rmSync(at, { recursive: true, force: true });
    } else {
      fs.unlinkSync(at);
    }
    return false;
  };

  const modeOf = (entry: TarEntry, name: string): number => {
    const mode = entry.mode & 0o7777;
    if (mode & 0o6000) warn(RESTORE_WARNINGS.setid, name, 'setuid/setgid bits stripped');
    return mode & 0o1777;
  };

  /** The body of the file entry being read, when it is to be written. */
  let current: EntryBody | null = null;

  const onEntry = (entry: TarEntry): void => {
    current = null;
    const name = entry.path;
    const rel = filesRelative(name);
    if (rel === null) {
      if (!isOtherPart(name)) skip(RESTORE_WARNINGS.outside, name, 'entry outside files/ skipped');
      return;
    }
    const parts = safeComponents(rel);
    if (parts === null) return skip(RESTORE_WARNINGS.unsafePath, name, 'absolute path or `..` refused');
    const type = entry.type;
    if (type === 'character-device' || type === 'block-device' || type === 'fifo') {
      return skip(RESTORE_WARNINGS.special, name, `${type} refused`);
    }
    if (parts.length === 0) {
      // The home directory itself: only its mode and mtime are taken.
      if (type === 'directory') deferredDirs.push({ parts, mode: modeOf(entry, name), mtime: mtimeOf(entry) });
      return;
    }
    // Entries are applied one at a time, in order; a file's data waits in `body` until its turn.
    const body: EntryBody = { pending: [], live: null, ended: false, onEnd: null };
    if (type === 'file') current = body;
    work.push(() => apply(entry, name, parts, body));
  };

  const onData = (piece: Buffer): void => {
    if (!current) return;
    if (current.live) current.live(piece);
    else { current.pending.push(piece); hold(piece.length); }
  };

  const onEntryEnd = (): void => {
    const body = current;
    current = null;
    if (!body) return;
    body.ended = true;
    body.onEnd?.();
  };

  const progress = (bytes: number): void => {
    stats.bytes += bytes;
    if (stats.bytes - reported >= PROGRESS_BYTES) {
      reported = stats.bytes;
      send({ t: 'p', bytes: stats.bytes });
    }
  };

  /** A new regular file, created with O_EXCL|O_NOFOLLOW; whatever was there is removed first. */
  const createFile = (parentFd: number, base: string, parts: string[], mode: number): number => {
    const at = `/proc/self/fd/${parentFd}/${base}`;
    try {
      return fs.openSync(at, CREATE_FLAGS, mode);
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      clear(parentFd, base, parts, false);
      return fs.openSync(at, CREATE_FLAGS, mode);
    }
  };

  const apply = (entry: TarEntry, name: string, parts: string[], body: EntryBody): void | Promise<void> => {
    // From here on the entry's data is written as it comes, or dropped if it is refused.
    const waiting = body.pending.splice(0);
    release(waiting.reduce((n, c) => n + c.length, 0));
    body.live = () => {};
    const base = parts[parts.length - 1]!;
    let parentFd: number;
    try {
      parentFd = dirs.open(parts.slice(0, -1), true);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ELOOP' || code === 'ENOTDIR') return skip(RESTORE_WARNINGS.throughLink, name, 'a parent directory is a symlink or not a directory; nothing written through it');
      return skip(RESTORE_WARNINGS.failed, name, `parent directory cannot be opened (${code})`);
    }
    const at = `/proc/self/fd/${parentFd}/${base}`;
    const mtime = mtimeOf(entry);
    try {
      switch (entry.type) {
        case 'directory': {
          if (!clear(parentFd, base, parts, true)) fs.mkdirSync(at, 0o700);
          deferredDirs.push({ parts, mode: modeOf(entry, name), mtime });
          stats.directories++;
          return;
        }
        case 'file': {
          // Synchronous calls: for tens of thousands of small files, threadpool round trips and
          // their promises cost more than the calls themselves.
          const fd = createFile(parentFd, base, parts, modeOf(entry, name));
          let failed: unknown = null;
          const write = (chunk: Buffer) => {
            if (failed) return;
            try {
              let off = 0;
              while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off);
              progress(chunk.length);
            } catch (err) {
              failed = err;
            }
          };
          for (const c of waiting) write(c);
          const finish = () => {
            try {
              if (failed) throw failed;
              if (mtime) fs.futimesSync(fd, mtime, mtime);
              const st = fs.fstatSync(fd);
              created.set(parts.join('/'), { dev: st.dev, ino: st.ino });
              stats.files++;
            } catch (err) {
              warn(RESTORE_WARNINGS.failed, name, `cannot be written (${errCode(err)})`);
            } finally {
              fs.closeSync(fd);
            }
          };
          if (body.ended) return finish();
          body.live = write;
          return new Promise<void>((resolve) => { body.onEnd = () => { finish(); resolve(); }; });
        }
        case 'symlink': {
          clear(parentFd, base, parts, false);
          fs.symlinkSync(entry.linkPath, at);
          if (mtime) fs.lutimesSync(at, mtime, mtime);
          stats.symlinks++;
          return;
        }
        case 'hardlink': {
          const srcRel = filesRelative(entry.linkPath);
          const srcParts = srcRel === null ? null : safeComponents(srcRel);
          const known = srcParts && srcParts.length ? created.get(srcParts.join('/')) : undefined;
          if (!srcParts || !known) return skip(RESTORE_WARNINGS.hardlink, name, 'hard link to something this archive did not restore refused');
          // Resolve the source again without following links, and check it is still our file.
          // The source directory is held outside the chain: opening the destination moves the chain.
          const srcDir = dirs.openDetached(srcParts.slice(0, -1));
          try {
            const srcAt = `/proc/self/fd/${srcDir}/${srcParts[srcParts.length - 1]}`;
            const st = fs.lstatSync(srcAt);
            if (!st.isFile() || st.ino !== known.ino || st.dev !== known.dev) return skip(RESTORE_WARNINGS.hardlink, name, 'hard link source changed; refused');
            const dstDir = dirs.open(parts.slice(0, -1), true);
            clear(dstDir, base, parts, false);
            fs.linkSync(srcAt, `/proc/self/fd/${dstDir}/${base}`);
          } finally {
            fs.closeSync(srcDir);
          }
          stats.hardlinks++;
          return;
        }
        default:
          return skip(RESTORE_WARNINGS.special, name, `entry of type ${entry.typeflag} skipped`);
      }
    } catch (err) {
      const code = errCode(err);
      if (code === 'ELOOP') return skip(RESTORE_WARNINGS.throughLink, name, 'would write through a symlink; refused');
      return skip(RESTORE_WARNINGS.failed, name, `cannot be restored (${code})`);
    }
  };

  // The same reader that verified the archive; what it refuses ends the extraction.
  const reader = new TarReader({ entry: onEntry, data: onData, entryEnd: onEntryEnd });
  const decompress = cfg.compression === 'gzip' && cfg.gzipMembers ? memberDecoder() : streamDecoder(cfg.compression);
  decompress.on('data', (b: Buffer) => {
    if (failed) return;
    try { reader.push(b); } catch (err) { fail((err as Error).message, EXTRACT_CORRUPT); }
  });
  decompress.on('error', (err) => fail(`the archive does not decompress: ${err.message}`, EXTRACT_CORRUPT));
  decompress.on('end', () => {
    if (failed) return;
    try { reader.end(); } catch (err) { return fail((err as Error).message, EXTRACT_CORRUPT); }
    complete();
  });
  const complete = () => work.whenIdle(() => {
    dirs.close();
    // Deepest first, so setting a parent's mtime comes after its children were written.
    deferredDirs.sort((a, b) => b.parts.length - a.parts.length);
    for (const d of deferredDirs) {
      try {
        const fd = d.parts.length === 0 ? rootFd : dirs.open(d.parts, false);
        fs.fchmodSync(fd, d.mode);
        if (d.mtime) fs.futimesSync(fd, d.mtime, d.mtime);
      } catch (err) {
        warn(RESTORE_WARNINGS.failed, `files/${d.parts.join('/')}`, `directory mode/mtime not set (${errCode(err)})`);
      }
    }
    dirs.close();
    send({ t: 'done', ...stats });
    finish();
  });
}

const mtimeOf = (entry: TarEntry): Date => new Date(entry.mtime * 1000);

/**
 * gzip members decoded several at a time. The daemon checked the archive's sha256 before this
 * child started, so stored members' CRCs are right by construction.
 */
function memberDecoder(): Readable {
  return Readable.from(inflateMembers(process.stdin, { checkCrc: false }), { objectMode: false });
}

/** One zlib stream over stdin; zstd frames fed one at a time (zstd-frames.ts). */
function streamDecoder(compression: 'gzip' | 'zstd'): Readable {
  // Large output chunks: zlib's default 16 KiB means one threadpool round trip per 16 KiB.
  const inflate = { chunkSize: INFLATE_CHUNK };
  const decompress = compression === 'zstd' ? zlib.createZstdDecompress(inflate) : zlib.createGunzip(inflate);
  const splitter = compression === 'zstd' ? new ZstdFrameSplitter() : null;
  process.stdin.on('data', (b: Buffer) => {
    if (!splitter) {
      if (!decompress.write(b)) { process.stdin.pause(); decompress.once('drain', () => process.stdin.resume()); }
      return;
    }
    let full = false;
    for (const piece of splitter.push(b)) full = !decompress.write(piece) || full;
    if (full) { process.stdin.pause(); decompress.once('drain', () => process.stdin.resume()); }
  });
  process.stdin.on('end', () => {
    splitter?.end();
    decompress.end();
  });
  return decompress;
}

let failed = false;

/** Ends the task with an error; the code tells a damaged archive (EXTRACT_CORRUPT) from the rest. */
function fail(message: string, code = 'EINVAL'): void {
  if (failed) return;
  failed = true;
  process.stdin.destroy();
  finish(Object.assign(new Error(message), { code }));
}

export const task: ChildTask = (request, childIo) => new Promise<void>((resolve, reject) => {
  io = childIo;
  finish = (err) => (err ? reject(err) : resolve());
  main(request as ExtractRequest);
});
