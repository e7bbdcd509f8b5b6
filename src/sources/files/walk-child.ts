// The unprivileged home-directory reader. Started by read-home.ts as root (or as the daemon's
// own user), it drops to the account's uid/gid with no supplementary groups before it touches
// the home, then walks it and writes frames (frame.ts) to stdout.
//
// Every path is resolved one component at a time relative to an open directory
// (/proc/self/fd/N/name, the openat idiom), and the last component is never followed: a tenant
// who swaps a directory for a symlink mid-walk gets a warning, not the link's target. Dropping
// privileges in-process (rather than at exec) also leaves this process non-dumpable, so the
// tenant cannot ptrace it.
import fs from 'node:fs';
import os from 'node:os';
import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { HOME_WARNINGS, type FrameHeader } from './frame.ts';
import { makeExcluder, sshAllows } from './policy.ts';

interface ChildConfig {
  home: string;
  uid: number;
  gid: number;
  excludes: string[];
  nice?: number;
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const OUT_SIZE = 1 << 20;
const out = Buffer.allocUnsafe(OUT_SIZE);
let outLen = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

function writeAll(buf: Buffer, len: number): void {
  let off = 0;
  while (off < len) {
    try {
      off += fs.writeSync(1, buf, off, len - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function flush(): void {
  if (outLen > 0) writeAll(out, outLen);
  outLen = 0;
}

function emit(h: FrameHeader): void {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  if (outLen + 4 + json.length > OUT_SIZE) flush();
  if (4 + json.length > OUT_SIZE) throw new Error('frame header too large');
  out.writeUInt32LE(json.length, outLen);
  json.copy(out, outLen + 4);
  outLen += 4 + json.length;
}

function warn(code: string, rel: string, msg: string): void {
  emit({ t: 'w', c: code, p: rel, msg });
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * Writes `size` bytes of an open file, hashing them on the way (the sha256 goes into SHA256SUMS;
 * hashing here keeps it off the daemon's event loop). Pads with zeros if the file shrank.
 * Returns whether it changed.
 */
function copyContent(fd: number, size: number, hash: Hash): boolean {
  let remaining = size;
  while (remaining > 0) {
    if (outLen === OUT_SIZE) flush();
    const want = Math.min(remaining, OUT_SIZE - outLen);
    const n = fs.readSync(fd, out, outLen, want, null);
    if (n === 0) {
      // Shrunk while read: keep the frame's promised length, say so in a warning.
      while (remaining > 0) {
        if (outLen === OUT_SIZE) flush();
        const z = Math.min(remaining, OUT_SIZE - outLen);
        out.fill(0, outLen, outLen + z);
        hash.update(out.subarray(outLen, outLen + z));
        outLen += z;
        remaining -= z;
      }
      return true;
    }
    hash.update(out.subarray(outLen, outLen + n));
    outLen += n;
    remaining -= n;
  }
  return false;
}

const seenInodes = new Map<string, string>();
let entries = 0;

function visitFile(dirPath: string, name: string, rel: string): void {
  let fd: number;
  try {
    fd = fs.openSync(`${dirPath}/${name}`, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
    else if (code === 'ELOOP') warn(HOME_WARNINGS.changed, rel, 'became a symlink while read; skipped');
    else warn(HOME_WARNINGS.unreadable, rel, `cannot be opened (${code})`);
    return;
  }
  try {
    const st = fs.fstatSync(fd, { bigint: false });
    if (!st.isFile()) {
      warn(HOME_WARNINGS.changed, rel, 'stopped being a regular file while read; skipped');
      return;
    }
    const base = { p: rel, m: st.mode & 0o7777, mt: Math.floor(st.mtimeMs / 1000), u: st.uid, g: st.gid };
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = seenInodes.get(key);
      if (first !== undefined) {
        emit({ t: 'h', ...base, l: first });
        entries++;
        return;
      }
      seenInodes.set(key, rel);
    }
    emit(st.nlink > 1 ? { t: 'f', ...base, s: st.size, k: 1 } : { t: 'f', ...base, s: st.size });
    entries++;
    let changed: boolean;
    const hash = createHash('sha256');
    try {
      changed = copyContent(fd, st.size, hash);
    } catch (err) {
      // The frame promised st.size bytes: the reader cannot continue the stream consistently.
      throw new Error(`reading ${JSON.stringify(rel)} failed: ${errCode(err)}`, { cause: err });
    }
    emit({ t: 's', h: hash.digest('hex') });
    const after = fs.fstatSync(fd);
    if (changed || after.size !== st.size || after.mtimeMs !== st.mtimeMs) {
      warn(HOME_WARNINGS.changed, rel, 'changed while it was read; the archived copy may be inconsistent');
    }
  } finally {
    fs.closeSync(fd);
  }
}

function walk(dirFd: number, relDir: string, excluded: (rel: string) => boolean): void {
  const dirPath = `/proc/self/fd/${dirFd}`;
  let names: Buffer[];
  try {
    names = fs.readdirSync(dirPath, { encoding: 'buffer' });
  } catch (err) {
    warn(HOME_WARNINGS.unreadable, relDir, `directory cannot be listed (${errCode(err)})`);
    return;
  }
  names.sort(Buffer.compare);
  for (const raw of names) {
    if (!isUtf8(raw)) {
      warn(HOME_WARNINGS.badName, relDir, `skipped an entry whose name is not UTF-8 (${raw.toString('hex')})`);
      continue;
    }
    const name = raw.toString('utf8');
    const rel = relDir ? `${relDir}/${name}` : name;
    if (!sshAllows(rel) || excluded(rel)) continue;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(`${dirPath}/${name}`);
    } catch (err) {
      if (errCode(err) === 'ENOENT') warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
      else warn(HOME_WARNINGS.unreadable, rel, `cannot be examined (${errCode(err)})`);
      continue;
    }
    const base = { p: rel, m: st.mode & 0o7777, mt: Math.floor(st.mtimeMs / 1000), u: st.uid, g: st.gid };
    if (st.isFile()) {
      visitFile(dirPath, name, rel);
    } else if (st.isSymbolicLink()) {
      let target: Buffer;
      try {
        target = fs.readlinkSync(`${dirPath}/${name}`, { encoding: 'buffer' });
      } catch (err) {
        warn(errCode(err) === 'ENOENT' ? HOME_WARNINGS.vanished : HOME_WARNINGS.changed, rel, `symlink cannot be read (${errCode(err)})`);
        continue;
      }
      if (!isUtf8(target)) {
        warn(HOME_WARNINGS.badName, rel, 'skipped a symlink whose target is not UTF-8');
        continue;
      }
      emit({ t: 'l', ...base, l: target.toString('utf8') });
      entries++;
    } else if (st.isDirectory()) {
      let fd: number;
      try {
        fd = fs.openSync(`${dirPath}/${name}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        const code = errCode(err);
        if (code === 'ENOENT') warn(HOME_WARNINGS.vanished, rel, 'vanished before it was read');
        else if (code === 'ELOOP' || code === 'ENOTDIR') warn(HOME_WARNINGS.changed, rel, 'stopped being a directory while read; skipped');
        else warn(HOME_WARNINGS.unreadable, rel, `directory cannot be opened (${code})`);
        continue;
      }
      try {
        const dst = fs.fstatSync(fd);
        emit({ t: 'd', p: rel, m: dst.mode & 0o7777, mt: Math.floor(dst.mtimeMs / 1000), u: dst.uid, g: dst.gid });
        entries++;
        walk(fd, rel, excluded);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      const kind = st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device';
      warn(HOME_WARNINGS.special, rel, `${kind} skipped`);
    }
  }
}

function dropPrivileges(cfg: ChildConfig): void {
  if (process.getuid?.() !== 0) return;
  if (!Number.isInteger(cfg.uid) || cfg.uid <= 0 || !Number.isInteger(cfg.gid) || cfg.gid < 0) {
    throw new Error('refusing to read a home directory as root');
  }
  process.setgroups!([]);
  process.setgid!(cfg.gid);
  process.setuid!(cfg.uid);
  // Node's getgroups() always lists the effective gid; anything else is a leftover group.
  if (process.getuid!() !== cfg.uid || process.geteuid!() !== cfg.uid || process.getgid!() !== cfg.gid || process.getgroups!().some((g) => g !== cfg.gid)) {
    throw new Error('privileges were not dropped');
  }
}

function main(): void {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  if (cfg.nice !== undefined) os.setPriority(cfg.nice);
  dropPrivileges(cfg);
  const rootFd = fs.openSync(cfg.home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  const st = fs.fstatSync(rootFd);
  emit({ t: 'd', p: '', m: st.mode & 0o7777, mt: Math.floor(st.mtimeMs / 1000), u: st.uid, g: st.gid });
  walk(rootFd, '', makeExcluder(cfg.excludes ?? []));
  emit({ t: 'e', n: entries });
  flush();
}

try {
  main();
} catch (err) {
  if (errCode(err) === 'EPIPE') process.exit(3);
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
