// The daemon's side of account-child-frame.ts. Everything a child sends is untrusted: the tenant
// it runs as may have taken it over. Headers are bounded in size and must be JSON objects with a
// string `t`; bodies must declare a safe length; the total output is bounded. Reading pulls from
// the pipe only when asked, so the queue between child and daemon is the pipe's own buffer (and,
// reading a child's stdout, the small pool of pipe-chunks.ts).
import type { Readable } from 'node:stream';
import { MAX_HEADER_BYTES, type FrameHead } from './account-child-frame.ts';
import { PipeChunks } from './pipe-chunks.ts';

export class FrameError extends Error {}

export class AccountChildReader {
  readonly #it: AsyncIterator<Buffer> | null;
  readonly #pipe: PipeChunks | null;
  readonly #maxBytes: number;
  #buf: Buffer = Buffer.alloc(0);
  #total = 0;
  /** Body bytes still owed by the last header; the next header may not be read before them. */
  #owed = 0;

  /**
   * With `pipe`, the reader takes over the pipe behind `stream` (a child's stdout that has not
   * started reading) and reads it into reused buffers: a body chunk is then valid only until the
   * sink's promise settles.
   */
  constructor(stream: Readable, maxBytes: number, opts: { pipe?: boolean } = {}) {
    this.#pipe = opts.pipe ? PipeChunks.from(stream) : null;
    this.#it = this.#pipe ? null : stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.#maxBytes = maxBytes;
  }

  async #fill(): Promise<boolean> {
    // What is left of the last chunk may sit in a buffer the pipe reuses: keep a copy.
    if (this.#pipe && this.#buf.length) this.#buf = Buffer.from(this.#buf);
    const chunk = this.#pipe ? await this.#pipe.next() : await this.#it!.next().then((r) => (r.done ? null : r.value));
    if (chunk === null) return false;
    this.#total += chunk.length;
    if (this.#total > this.#maxBytes) throw new FrameError(`the child sent more than ${this.#maxBytes} bytes`);
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    return true;
  }

  async #need(n: number, what: string): Promise<void> {
    while (this.#buf.length < n) {
      if (!(await this.#fill())) throw new FrameError(`the child's output ended inside ${what}`);
    }
  }

  /** The next header; null at a clean end of output. */
  async next(): Promise<FrameHead | null> {
    if (this.#owed > 0) throw new FrameError('a frame body was not consumed');
    if (this.#buf.length === 0 && !(await this.#fill())) return null;
    await this.#need(4, 'a frame length');
    const len = this.#buf.readUInt32LE(0);
    if (len === 0 || len > MAX_HEADER_BYTES) throw new FrameError('the child sent a malformed frame');
    await this.#need(4 + len, 'a frame header');
    let head: unknown;
    try {
      head = JSON.parse(this.#buf.subarray(4, 4 + len).toString('utf8'));
    } catch {
      throw new FrameError('the child sent a header that is not JSON');
    }
    this.#buf = this.#buf.subarray(4 + len);
    if (!head || typeof head !== 'object' || Array.isArray(head) || typeof (head as FrameHead).t !== 'string') throw new FrameError('the child sent a malformed header');
    const n = (head as FrameHead).n;
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) throw new FrameError('the child sent a malformed body length');
    this.#owed = n ?? 0;
    return head as FrameHead;
  }

  /** Hands the body of the last header to `sink`, chunk by chunk. */
  async body(sink: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    while (this.#owed > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) throw new FrameError('the child\'s output ended inside a body');
      const take = Math.min(this.#owed, this.#buf.length);
      const chunk = this.#buf.subarray(0, take);
      this.#buf = this.#buf.subarray(take);
      this.#owed -= take;
      await sink(chunk);
    }
  }

  /** The body of the last header as one buffer (the caller bounded its length already). */
  async bodyBuffer(): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.body((c) => { parts.push(Buffer.from(c)); });
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    this.#pipe?.close();
    await this.#it?.return?.();
  }
}
