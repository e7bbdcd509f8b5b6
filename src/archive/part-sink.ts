// Where archive bytes land: one file, or parts of `splitSize` bytes that `cat` back into the
// archive. Everything is written under a `.partial` name and renamed only by finish(); any
// failure leaves nothing behind (discard()). The archive's sha256 and size are taken here, on
// the bytes as written.
import fs from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { AgentError } from '../errors/index.ts';

export const PARTIAL_SUFFIX = '.partial';
/**
 * Written bytes after which a flush to disk starts in the background. The archive must be on disk
 * before its snapshot is listed; flushing as it grows overlaps the disk with compression instead of
 * one long fsync at the end, and keeps the node's dirty page cache small.
 */
const FLUSH_EVERY = 32 << 20;

export function partPath(outPath: string, index: number): string {
  return `${outPath}.part${String(index).padStart(3, '0')}`;
}

function writeError(err: unknown, path: string): AgentError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AgentError('AGENT_E_NO_SPACE', 'the disk filled up while the archive was written', { cause: err });
  }
  if (err instanceof AgentError) return err;
  return new AgentError('AGENT_E_INTERNAL', `writing ${path} failed: ${code ?? (err as Error).message}`, { cause: err });
}

export class PartSink {
  readonly #outPath: string;
  readonly #splitSize: number | undefined;
  readonly #hash = createHash('sha256');
  #bytes = 0;
  #file: fs.FileHandle | null = null;
  #partLeft = 0;
  readonly #finals: string[] = [];
  #unflushed = 0;
  /** The background flush in progress; its failure surfaces at the next write or at finish(). */
  #flushing: Promise<void> | null = null;
  #flushError: unknown = null;

  constructor(outPath: string, splitSize?: number) {
    if (splitSize !== undefined && !(Number.isSafeInteger(splitSize) && splitSize > 0)) {
      throw new AgentError('AGENT_E_INVALID', 'splitSize must be a positive whole number of bytes', { data: { field: 'splitSize' } });
    }
    this.#outPath = outPath;
    this.#splitSize = splitSize;
  }

  get bytes(): number { return this.#bytes; }

  /** Starts a background fdatasync once enough is written, unless one is still running. */
  #maybeFlush(): void {
    if (this.#unflushed < FLUSH_EVERY || this.#flushing || !this.#file) return;
    this.#unflushed = 0;
    this.#flushing = this.#file.datasync().then(
      () => { this.#flushing = null; },
      (err: unknown) => { this.#flushError ??= err; this.#flushing = null; },
    );
  }

  async #settleFlush(): Promise<void> {
    if (this.#flushing) await this.#flushing;
    if (this.#flushError) throw this.#flushError;
  }

  async #nextFile(): Promise<void> {
    await this.#settleFlush();
    await this.#file?.sync();
    await this.#file?.close();
    this.#file = null;
    const final = this.#splitSize ? partPath(this.#outPath, this.#finals.length + 1) : this.#outPath;
    this.#finals.push(final);
    this.#file = await fs.open(final + PARTIAL_SUFFIX, 'wx', 0o600);
    this.#partLeft = this.#splitSize ?? Infinity;
  }

  /** Appends pieces in order. Not re-entrant: the caller serialises writes. */
  async write(pieces: Buffer[]): Promise<void> {
    try {
      if (this.#flushError) throw this.#flushError;
      for (const p of pieces) this.#hash.update(p);
      let batch: Buffer[] = [];
      let batchLen = 0;
      for (let piece of pieces) {
        while (piece.length > 0) {
          if (!this.#file || this.#partLeft === 0) {
            if (batch.length) { await this.#writev(batch, batchLen); batch = []; batchLen = 0; }
            await this.#nextFile();
          }
          const take = Math.min(piece.length, this.#partLeft);
          batch.push(take === piece.length ? piece : piece.subarray(0, take));
          batchLen += take;
          this.#partLeft -= take;
          piece = piece.subarray(take);
        }
      }
      if (batch.length) await this.#writev(batch, batchLen);
      this.#maybeFlush();
    } catch (err) {
      throw writeError(err, this.#outPath);
    }
  }

  async #writev(batch: Buffer[], len: number): Promise<void> {
    let left = batch;
    let remaining = len;
    while (remaining > 0) {
      const { bytesWritten } = await this.#file!.writev(left);
      this.#bytes += bytesWritten;
      this.#unflushed += bytesWritten;
      remaining -= bytesWritten;
      if (remaining === 0) break;
      // A short write (typically the disk filling up): retry the rest, which then fails with
      // the real errno, or stop if nothing moves.
      if (bytesWritten === 0) throw Object.assign(new Error('no progress writing'), { code: 'ENOSPC' });
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const b of left) {
        if (skip >= b.length) { skip -= b.length; continue; }
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
      left = rest;
    }
  }

  /** Closes and renames into place; returns the final paths in order. */
  async finish(): Promise<{ sha256: string; bytes: number; paths: string[] }> {
    try {
      if (!this.#file) await this.#nextFile();
      await this.#settleFlush();
      await this.#file!.sync();
      await this.#file!.close();
      this.#file = null;
      for (const final of this.#finals) await fs.rename(final + PARTIAL_SUFFIX, final);
    } catch (err) {
      throw writeError(err, this.#outPath);
    }
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes, paths: [...this.#finals] };
  }

  /** Removes every file this sink created, partial or renamed. */
  async discard(): Promise<void> {
    await this.#flushing;
    await this.#file?.close().catch(() => {});
    this.#file = null;
    for (const final of this.#finals) {
      await fs.rm(final + PARTIAL_SUFFIX, { force: true });
      await fs.rm(final, { force: true });
    }
  }
}
