// Directories opened one component at a time relative to the previous one
// (/proc/self/fd/N/name) with O_NOFOLLOW: a symlink anywhere on the way fails with ELOOP
// instead of being followed. Used by the unprivileged writers (files, mail).
import fs from 'node:fs';
import { DIR_NOFOLLOW } from '../sources/common/fd-walk.ts';

export const DIR_FLAGS = DIR_NOFOLLOW;

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

export /** The open directories of the current path, so sorted archives open each directory once. */
class DirChain {
  readonly #rootFd: number;
  #chain: { name: string; fd: number }[] = [];
  constructor(rootFd: number) {
    this.#rootFd = rootFd;
  }

  /** The fd of the directory `parts` (relative to the root); creates missing ones when `create`. */
  open(parts: string[], create: boolean): number {
    let same = 0;
    while (same < this.#chain.length && same < parts.length && this.#chain[same]!.name === parts[same]) same++;
    this.#truncate(same);
    let fd = same === 0 ? this.#rootFd : this.#chain[same - 1]!.fd;
    for (let i = same; i < parts.length; i++) {
      const at = `/proc/self/fd/${fd}/${parts[i]}`;
      let next: number;
      try {
        next = fs.openSync(at, DIR_FLAGS);
      } catch (err) {
        if (errCode(err) !== 'ENOENT' || !create) throw err;
        fs.mkdirSync(at, 0o700);
        next = fs.openSync(at, DIR_FLAGS);
      }
      this.#chain.push({ name: parts[i]!, fd: next });
      fd = next;
    }
    return fd;
  }

  /** Like open(), but outside the chain: the caller owns (and closes) the returned fd. */
  openDetached(parts: string[]): number {
    let fd = fs.openSync(`/proc/self/fd/${this.#rootFd}/.`, DIR_FLAGS);
    for (const part of parts) {
      try {
        const next = fs.openSync(`/proc/self/fd/${fd}/${part}`, DIR_FLAGS);
        fs.closeSync(fd);
        fd = next;
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
    }
    return fd;
  }

  /** Forgets open directories at or below `parts`, which is about to be replaced. */
  forget(parts: string[]): void {
    let same = 0;
    while (same < this.#chain.length && same < parts.length && this.#chain[same]!.name === parts[same]) same++;
    if (same === parts.length) this.#truncate(parts.length - 1 < 0 ? 0 : parts.length - 1);
  }

  #truncate(n: number): void {
    while (this.#chain.length > n) fs.closeSync(this.#chain.pop()!.fd);
  }

  close(): void {
    this.#truncate(0);
  }
}
