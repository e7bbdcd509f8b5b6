// One file whose path a tenant may influence, read or replaced by whoever decides that path
// (path-decider.ts): root itself only when root alone decides it, else a child acting as the
// account (account-child.ts, tenant-file-child.ts). A path decided by anyone else (root-owned
// but writable by others, or another uid) is refused: the file never resolves to root's or
// another account's.
import fs from 'node:fs';
import { siblingModule } from '../../core/sibling-module.ts';
import { whoDecides, type PathDecision } from './path-decider.ts';
import { at, DIR_NOFOLLOW, openDirBelow } from './fd-walk.ts';
import { readFileAt, replaceFileAt } from './fd-file.ts';
import { AccountChildFailure, startAccountChild, type AccountIdentity } from './account-child.ts';
import type { ChildPriority } from './run-child.ts';
import type { TenantFileRequest } from './tenant-file-child.ts';

const TASK = siblingModule(import.meta.url, 'tenant-file-child');
const TIMEOUT_MS = 10 * 60 * 1000;

export interface TenantFileOptions {
  /** The account the path belongs to. */
  as: AccountIdentity;
  priority?: ChildPriority;
  signal?: AbortSignal;
}

/** Where `file` lies and whether root may open it itself; throws when neither root nor `as` decides it. */
export function decideFor(file: string, as: AccountIdentity): PathDecision & { byRoot: boolean } {
  let d: PathDecision;
  try {
    d = whoDecides(file);
  } catch (err) {
    throw new AccountChildFailure((err as Error).message, (err as NodeJS.ErrnoException).code ?? 'EINVAL');
  }
  if (d.rest.length === 0) {
    // Root alone decides the whole path: open the last component from its parent like any other.
    const i = d.anchor.lastIndexOf('/');
    return { anchor: d.anchor.slice(0, i) || '/', rest: [d.anchor.slice(i + 1)], decider: null, byRoot: true };
  }
  if (d.decider === null) return { ...d, byRoot: true };
  if (process.getuid?.() !== 0) return { ...d, byRoot: false };
  if (d.decider.uid !== as.uid || d.decider.uid === 0) {
    const who = d.decider.uid === 0 ? 'a root-owned directory others can write to' : `uid ${d.decider.uid}, not the account's uid ${as.uid}`;
    throw new AccountChildFailure(`${d.anchor === '/' ? '' : d.anchor}/${d.rest[0]} is decided by ${who}`, 'EPERM');
  }
  return { ...d, byRoot: false };
}

/** The content and mtime of a regular file; a symlink anywhere the tenant decides fails (ELOOP). */
export async function readTenantFile(file: string, maxBytes: number, o: TenantFileOptions): Promise<{ data: Buffer; mtime: Date }> {
  const d = decideFor(file, o.as);
  if (d.byRoot) {
    const dirFd = openDirBelow(d.anchor, d.rest.slice(0, -1));
    try {
      const { data, st } = readFileAt(dirFd, d.rest[d.rest.length - 1] ?? '', maxBytes);
      return { data, mtime: st.mtime };
    } finally {
      fs.closeSync(dirFd);
    }
  }
  const request: TenantFileRequest = { op: 'read', anchor: d.anchor, rest: d.rest, maxBytes };
  const child = startAccountChild({ module: TASK, request, as: o.as, priority: o.priority, signal: o.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: maxBytes + 64 * 1024 });
  try {
    let got: { data: Buffer; mtime: Date } | null = null;
    for await (const head of child.frames()) {
      if (head.t !== 'file' || got || typeof head.mtimeMs !== 'number' || (head.n ?? 0) > maxBytes) throw new AccountChildFailure('the file reader sent an unexpected frame');
      got = { data: await child.reader.bodyBuffer(), mtime: new Date(head.mtimeMs) };
    }
    if (!got) throw new AccountChildFailure('the file reader sent no file');
    return got;
  } finally {
    await child.close();
  }
}

/** Replaces `file` (creating missing directories) through a fresh O_EXCL|O_NOFOLLOW name. */
export async function writeTenantFile(file: string, data: Buffer, mode: number, o: TenantFileOptions): Promise<void> {
  const d = decideFor(file, o.as);
  if (d.rest.length === 0) throw new AccountChildFailure(`${file} is not a file`, 'EISDIR');
  if (d.byRoot) {
    const dirFd = openDirBelow(d.anchor, d.rest.slice(0, -1), true);
    try {
      replaceFileAt(dirFd, d.rest[d.rest.length - 1]!, data, mode);
    } finally {
      fs.closeSync(dirFd);
    }
    return;
  }
  const request: TenantFileRequest = { op: 'write', anchor: d.anchor, rest: d.rest, mode, createDirs: true };
  const child = startAccountChild({ module: TASK, request, as: o.as, priority: o.priority, signal: o.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: 64 * 1024, input: data });
  try {
    for await (const head of child.frames()) throw new AccountChildFailure(`the file writer sent an unexpected frame "${head.t.slice(0, 20)}"`);
  } finally {
    await child.close();
  }
}

/**
 * Makes directory `dir` (its parent must exist) as whoever decides its path: root in a root-only
 * place (then owned by `as`), else the account. Whether it was created, or already there.
 */
export async function makeTenantDir(dir: string, mode: number, o: TenantFileOptions): Promise<{ created: boolean }> {
  const d = decideFor(dir, o.as);
  const name = d.rest[d.rest.length - 1]!;
  if (d.byRoot) {
    const dirFd = openDirBelow(d.anchor, d.rest.slice(0, -1));
    try {
      try {
        fs.mkdirSync(at(dirFd, name), mode);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        fs.closeSync(fs.openSync(at(dirFd, name), DIR_NOFOLLOW));
        return { created: false };
      }
      if (process.getuid?.() === 0) fs.lchownSync(at(dirFd, name), o.as.uid, o.as.gid);
      return { created: true };
    } finally {
      fs.closeSync(dirFd);
    }
  }
  const request: TenantFileRequest = { op: 'mkdir', anchor: d.anchor, rest: d.rest, mode };
  const child = startAccountChild({ module: TASK, request, as: o.as, priority: o.priority, signal: o.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: 64 * 1024 });
  try {
    let created: boolean | null = null;
    for await (const head of child.frames()) {
      if (head.t !== 'dir' || created !== null || typeof head.created !== 'boolean') throw new AccountChildFailure('the directory maker sent an unexpected frame');
      created = head.created;
    }
    if (created === null) throw new AccountChildFailure('the directory maker sent no answer');
    return { created };
  } finally {
    await child.close();
  }
}
