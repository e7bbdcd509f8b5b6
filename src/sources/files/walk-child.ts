// Task of a child acting as the account (account-child-entry.ts, started by read-home.ts): walks
// the home and writes its frames (frame.ts) to stdout, cut into the bodies of the layer's `b`
// frames. The layer has already dropped to the account and applied the job's priority.
//
// The home is opened from its root-owned anchor one component at a time with O_NOFOLLOW
// (fd-walk.ts). Below it every path is resolved one component at a time relative to an open
// directory (the process changes into /proc/self/fd/N, the directory the descriptor holds, and
// opens names relative to it: the fchdir+openat idiom), and the last component is never
// followed: a tenant who swaps a directory for a symlink mid-walk gets a warning, not the
// link's target.
import fs from 'node:fs';
import net from 'node:net';
import { isUtf8 } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import { HOME_WARNINGS, WALK_CHUNK, type FrameHeader } from './frame.ts';
import { makeExcluder, sshAllows } from './policy.ts';
import { openDirBelow } from '../common/fd-walk.ts';
import { encodeHead } from '../common/account-child-frame.ts';
import type { ChildTask } from '../common/account-child-entry.ts';
import type { HashRequest, HashReply } from './hash-worker.ts';
import { siblingModule } from '../../core/sibling-module.ts';

export interface WalkRequest {
  /** The home is anchor/rest[0]/rest[1]/…, as decided by decideFor (tenant-file.ts). */
  anchor: string;
  rest: string[];
  excludes: string[];
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const OUT_SIZE = 1 << 20;
/**
 * Output buffers in flight to the daemon and the hashing thread. The socket's kernel buffer is
 * only ~200 KB: with several buffers queued on it (written by libuv as the daemon drains, woken
 * by epoll), the walk keeps reading while the daemon or this process is briefly descheduled.
 */
const OUT_BUFFERS = 6;
/** Shared with the hashing thread, which reads the file content in them (hash-worker.ts). */
const buffers = Array.from({ length: OUT_BUFFERS }, () => Buffer.from(new SharedArrayBuffer(OUT_SIZE)));
/** A buffer is free again once both the socket and the hashing thread are done with it. */
const holds = new Array<number>(OUT_BUFFERS).fill(0);
const free: number[] = Array.from({ length: OUT_BUFFERS - 1 }, (_v, i) => i + 1);
let cur = 0;
let out: Buffer = buffers[0];
let outLen = 0;
let bufferFreed: (() => void) | null = null;
/** File content in the current buffer, as HashRequest ranges. */
let ranges: number[] = [];
/** Where the content of the file being copied starts in the current buffer; -1 between files. */
let contentStart = -1;
/** Files whose content was sent and whose checksum frame is not yet. */
let unsummed = 0;
/** Checksums back from the hashing thread, sent as 's' frames in file order. */
const sums: string[] = [];
let allSummed: (() => void) | null = null;
let hasher: Worker;
/** stdout, written asynchronously so several buffers can be queued (the layer's own writes block). */
let sock: net.Socket;
/** Settles when the socket has written everything queued so far. */
let written: Promise<void> = Promise.resolve();

function fatal(err: unknown): never {
  if (errCode(err) === 'EPIPE') process.exit(3);
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

function release(idx: number): void {
  if (--holds[idx] > 0) return;
  free.push(idx);
  bufferFreed?.();
}

function startHasher(): void {
  hasher = new Worker(siblingModule(import.meta.url, 'hash-worker'), { workerData: { buffers: buffers.map((b) => b.buffer) } });
  hasher.on('error', fatal);
  hasher.on('message', ({ buf, sums: done }: HashReply) => {
    sums.push(...done);
    unsummed -= done.length;
    release(buf);
    if (unsummed === 0) allSummed?.();
  });
}

/** Hands the current buffer to the socket and the hashing thread; resolves once another is free. */
function flush(): Promise<void> | undefined {
  if (outLen === 0) return undefined;
  const idx = cur;
  if (contentStart >= 0) ranges.push(contentStart, outLen, 0);
  holds[idx] = ranges.length > 0 ? 2 : 1;
  if (ranges.length > 0) {
    hasher.postMessage({ buf: idx, ranges } satisfies HashRequest);
    ranges = [];
  }
  sock.write(encodeHead({ t: WALK_CHUNK, n: outLen }));
  written = new Promise((resolve) => {
    sock.write(out.subarray(0, outLen), (err) => {
      if (!err) release(idx);
      resolve();
    });
  });
  outLen = 0;
  if (contentStart >= 0) contentStart = 0;
  const next = free.pop();
  if (next !== undefined) { use(next); return undefined; }
  return new Promise((resolve) => {
    bufferFreed = () => { bufferFreed = null; use(free.pop()!); resolve(); };
  });
}

function use(idx: number): void {
  cur = idx;
  out = buffers[idx];
}

/** Room for `need` more bytes in the current buffer, flushing it first if necessary. */
function room(need: number): Promise<void> | undefined {
  return outLen + need > OUT_SIZE ? flush() : undefined;
}

function emit(h: FrameHeader): Promise<void> | undefined {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  if (4 + json.length > OUT_SIZE) throw new Error('frame header too large');
  const wait = room(4 + json.length);
  if (wait) return wait.then(() => { put(json); });
  put(json);
  return undefined;
}

function put(json: Buffer): void {
  out.writeUInt32LE(json.length, outLen);
  json.copy(out, outLen + 4);
  outLen += 4 + json.length;
}

/** Sends the checksums the hashing thread has returned so far. */
async function emitSums(): Promise<void> {
  // More may arrive while a frame waits for room; they follow in the next round.
  while (sums.length > 0) {
    for (const h of sums.splice(0)) {
      const wait = emit({ t: 's', h });
      if (wait) await wait;
    }
  }
}

function warn(code: string, rel: string, msg: string): Promise<void> | undefined {
  return emit({ t: 'w', c: code, p: rel, msg });
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * Writes `size` bytes of an open file; the hashing thread hashes them from the buffers. Pads with
 * zeros if the file shrank, keeping the frame's promised length. Returns whether it shrank.
 */
async function copyContent(fd: number, size: number): Promise<boolean> {
  let remaining = size;
  let shrunk = false;
  contentStart = outLen;
  while (remaining > 0) {
    if (outLen === OUT_SIZE) {
      const wait = flush();
      if (wait) await wait;
    }
    const want = Math.min(remaining, OUT_SIZE - outLen);
    let n = shrunk ? 0 : fs.readSync(fd, out, outLen, want, null);
    if (n === 0) {
      shrunk = true;
      out.fill(0, outLen, outLen + want);
      n = want;
    }
    outLen += n;
    remaining -= n;
  }
  ranges.push(contentStart, outLen, 1);
  contentStart = -1;
  unsummed++;
  return shrunk;
}

const seenInodes = new Map<string, string>();
let entries = 0;

async function visitFile(name: string, rel: string): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') await warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
    else if (code === 'ELOOP') await warn(HOME_WARNINGS.changed, rel, 'became a symlink while read; skipped');
    else await warn(HOME_WARNINGS.unreadable, rel, `cannot be opened (${code})`);
    return;
  }
  try {
    const st = fs.fstatSync(fd, { bigint: false });
    if (!st.isFile()) {
      await warn(HOME_WARNINGS.changed, rel, 'stopped being a regular file while read; skipped');
      return;
    }
    const base = { p: rel, m: st.mode & 0o7777, mt: Math.floor(st.mtimeMs / 1000), u: st.uid, g: st.gid };
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = seenInodes.get(key);
      if (first !== undefined) {
        await emit({ t: 'h', ...base, l: first });
        entries++;
        return;
      }
      seenInodes.set(key, rel);
    }
    if (sums.length > 0) await emitSums();
    const head = emit(st.nlink > 1 ? { t: 'f', ...base, s: st.size, k: 1 } : { t: 'f', ...base, s: st.size });
    if (head) await head;
    entries++;
    let shrunk: boolean;
    try {
      shrunk = await copyContent(fd, st.size);
    } catch (err) {
      // The frame promised st.size bytes: the reader cannot continue the stream consistently.
      throw new Error(`reading ${JSON.stringify(rel)} failed: ${errCode(err)}`, { cause: err });
    }
    const after = fs.fstatSync(fd);
    if (shrunk || after.size !== st.size || after.mtimeMs !== st.mtimeMs) {
      await warn(HOME_WARNINGS.changed, rel, 'changed while it was read; the archived copy may be inconsistent');
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The entry's lstat, or null when it vanished or cannot be examined (warned). Regular files and
 * directories skip it: they are opened with O_NOFOLLOW and fstat'ed, which is what counts, and
 * the directory entry's type (d_type) only chooses how to try. A type readdir cannot tell falls
 * back to lstat.
 */
async function examine(name: string, rel: string): Promise<fs.Stats | null> {
  try {
    return fs.lstatSync(name);
  } catch (err) {
    if (errCode(err) === 'ENOENT') await warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
    else await warn(HOME_WARNINGS.unreadable, rel, `cannot be examined (${errCode(err)})`);
    return null;
  }
}

type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

function kindOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  return d.isFile() ? 'file' : d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'special';
}

async function walk(dirFd: number, relDir: string, excluded: (rel: string) => boolean): Promise<void> {
  // The working directory is the one `dirFd` holds, whatever its path has become since:
  // names below resolve in it. Relative lookups cost half of going through /proc each time.
  const dirPath = `/proc/self/fd/${dirFd}`;
  process.chdir(dirPath);
  let dirents: fs.Dirent<Buffer>[];
  try {
    dirents = fs.readdirSync('.', { encoding: 'buffer', withFileTypes: true });
  } catch (err) {
    await warn(HOME_WARNINGS.unreadable, relDir, `directory cannot be listed (${errCode(err)})`);
    return;
  }
  dirents.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const dirent of dirents) {
    const raw = dirent.name;
    if (!isUtf8(raw)) {
      await warn(HOME_WARNINGS.badName, relDir, `skipped an entry whose name is not UTF-8 (${raw.toString('hex')})`);
      continue;
    }
    const name = raw.toString('utf8');
    const rel = relDir ? `${relDir}/${name}` : name;
    if (!sshAllows(rel) || excluded(rel)) continue;
    let kind: EntryKind = kindOf(dirent);
    let st: fs.Stats | null = null;
    if (kind === 'symlink' || kind === 'special') {
      st = await examine(name, rel);
      if (!st) continue;
      kind = kindOf(st);
    }
    if (kind === 'file') {
      await visitFile(name, rel);
    } else if (kind === 'symlink') {
      let target: Buffer;
      try {
        target = fs.readlinkSync(name, { encoding: 'buffer' });
      } catch (err) {
        await warn(errCode(err) === 'ENOENT' ? HOME_WARNINGS.vanished : HOME_WARNINGS.changed, rel, `symlink cannot be read (${errCode(err)})`);
        continue;
      }
      if (!isUtf8(target)) {
        await warn(HOME_WARNINGS.badName, rel, 'skipped a symlink whose target is not UTF-8');
        continue;
      }
      const ls = st!;
      await emit({ t: 'l', p: rel, m: ls.mode & 0o7777, mt: Math.floor(ls.mtimeMs / 1000), u: ls.uid, g: ls.gid, l: target.toString('utf8') });
      entries++;
    } else if (kind === 'directory') {
      let fd: number;
      try {
        fd = fs.openSync(name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        const code = errCode(err);
        if (code === 'ENOENT') await warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
        else if (code === 'ELOOP' || code === 'ENOTDIR') await warn(HOME_WARNINGS.changed, rel, 'stopped being a directory while read; skipped');
        else await warn(HOME_WARNINGS.unreadable, rel, `directory cannot be opened (${code})`);
        continue;
      }
      try {
        const dst = fs.fstatSync(fd);
        await emit({ t: 'd', p: rel, m: dst.mode & 0o7777, mt: Math.floor(dst.mtimeMs / 1000), u: dst.uid, g: dst.gid });
        entries++;
        await walk(fd, rel, excluded);
        process.chdir(dirPath);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      const s2 = st!;
      const what = s2.isFIFO() ? 'FIFO' : s2.isSocket() ? 'socket' : 'device';
      await warn(HOME_WARNINGS.special, rel, `${what} skipped`);
    }
  }
}

export const task: ChildTask = async (request) => {
  const req = request as WalkRequest;
  sock = new net.Socket({ fd: 1, readable: false, writable: true });
  sock.on('error', (err) => fatal(err));
  try {
    const rootFd = openDirBelow(req.anchor, req.rest);
    const st = fs.fstatSync(rootFd);
    await emit({ t: 'd', p: '', m: st.mode & 0o7777, mt: Math.floor(st.mtimeMs / 1000), u: st.uid, g: st.gid });
    startHasher();
    await walk(rootFd, '', makeExcluder(req.excludes ?? []));
    await flush();
    if (unsummed > 0) await new Promise<void>((resolve) => { allSummed = resolve; });
    await emitSums();
    await emit({ t: 'e', n: entries });
    await flush();
  } finally {
    // The layer writes its closing frame (end or fatal) through process.stdout: only after
    // everything queued here, or it would land inside a body.
    await written;
  }
  await hasher.terminate();
};
