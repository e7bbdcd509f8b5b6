// Reads the reader child's stdout as lines and exact byte counts, pulling from the stream only
// when asked, so a slow archive writer slows the child down instead of filling memory.
import type { Readable } from 'node:stream';

const MAX_LINE = 1024 * 1024;

export class FrameReader {
  #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);

  constructor(stream: Readable) {
    this.#it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async #fill(): Promise<boolean> {
    const r = await this.#it.next();
    if (r.done) return false;
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : r.value;
    return true;
  }

  /** The next line without its '\n'; null at a clean end of stream. */
  async line(): Promise<string | null> {
    for (;;) {
      const i = this.#buf.indexOf(10);
      if (i >= 0) {
        const line = this.#buf.subarray(0, i).toString('utf8');
        this.#buf = this.#buf.subarray(i + 1);
        return line;
      }
      if (this.#buf.length > MAX_LINE) throw new Error('reader sent an overlong line');
      if (!(await this.#fill())) {
        if (this.#buf.length) throw new Error('reader output ended inside a line');
        return null;
      }
    }
  }

  /** Hands exactly `n` bytes to `sink`, chunk by chunk. */
  async bytes(n: number, sink: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) throw new Error('reader output ended inside a message');
      const take = Math.min(left, this.#buf.length);
      await sink(this.#buf.subarray(0, take));
      this.#buf = this.#buf.subarray(take);
      left -= take;
    }
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}
