// Cuts the tar byte stream into chunks, compresses them concurrently (threadpool) and writes
// the results strictly in order. A chunk never mixes compressible and stored data, so media
// costs a CRC instead of a deflate pass. Chunks live in a fixed pool of buffers: memory stays
// bounded whatever the archive size, and a full pool is the backpressure signal (write()
// returns a promise only then).
import type { Codec } from './codec.ts';
import type { PartSink } from './part-sink.ts';

export type ChunkMode = 'compress' | 'store';

const noop = (): void => {};

class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiters: Array<(b: Buffer) => void> = [];

  constructor(count: number, size: number) {
    for (let i = 0; i < count; i++) this.#free.push(Buffer.allocUnsafeSlow(size));
  }

  tryAcquire(): Buffer | undefined {
    return this.#free.pop();
  }

  acquire(): Promise<Buffer> {
    const b = this.#free.pop();
    return b ? Promise.resolve(b) : new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(b: Buffer): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(b);
    else this.#free.push(b);
  }
}

export class ChunkPipeline {
  readonly #codec: Codec;
  readonly #sink: PartSink;
  readonly #pool: BufferPool;
  #cur: Buffer | null = null;
  #len = 0;
  #mode: ChunkMode | null = null;
  #tail: Promise<void> = Promise.resolve();
  #failed = false;
  #waiting: Promise<void> | null = null;
  /** Uncompressed bytes accepted so far. */
  bytesIn = 0;

  constructor(codec: Codec, sink: PartSink, buffers = 6) {
    this.#codec = codec;
    this.#sink = sink;
    this.#pool = new BufferPool(buffers, codec.chunkSize);
  }

  /**
   * Appends bytes (copied; the caller may reuse `buf`). `mode` undefined joins whatever chunk
   * is open (tar headers, padding). Returns a promise only when the caller must wait for room.
   */
  write(buf: Buffer, mode?: ChunkMode): Promise<void> | undefined {
    // A write still waiting for a buffer keeps its place: later bytes queue behind it.
    if (this.#waiting) return this.#waiting.then(() => this.write(buf, mode));
    if (mode && this.#mode !== mode) {
      if (this.#len > 0 && this.#mode !== null) this.#seal();
      this.#mode = mode;
    }
    return this.#fill(buf, 0);
  }

  #fill(buf: Buffer, off: number): Promise<void> | undefined {
    const size = this.#codec.chunkSize;
    while (off < buf.length) {
      if (!this.#cur) {
        const b = this.#pool.tryAcquire();
        if (!b) return this.#fillLater(buf, off);
        this.#cur = b;
      }
      const n = buf.copy(this.#cur, this.#len, off, off + Math.min(buf.length - off, size - this.#len));
      this.#len += n;
      this.bytesIn += n;
      off += n;
      if (this.#len === size) {
        const keep = this.#mode;
        this.#seal();
        this.#mode = keep;
      }
    }
    return undefined;
  }

  #fillLater(buf: Buffer, off: number): Promise<void> {
    const waiting = (async () => {
      this.#cur = await this.#pool.acquire();
      if (this.#failed) await this.#tail;
      this.#waiting = null;
      await this.#fill(buf, off);
    })();
    this.#waiting = waiting;
    return waiting;
  }

  #seal(): void {
    const cur = this.#cur;
    const len = this.#len;
    const mode = this.#mode ?? 'compress';
    this.#cur = null;
    this.#len = 0;
    this.#mode = null;
    if (!cur) return;
    if (len === 0) { this.#pool.release(cur); return; }
    const input = cur.subarray(0, len);
    const work: Promise<Buffer[]> = mode === 'store'
      ? Promise.resolve(this.#codec.store([input], len))
      : this.#codec.compress(input).then((b) => [b]);
    work.catch(noop);
    const done = this.#tail.then(() => work).then((pieces) => this.#sink.write(pieces));
    // The buffer goes back to the pool even on failure, so a waiting writer wakes up and sees it.
    done.then(() => this.#pool.release(cur), () => { this.#failed = true; this.#pool.release(cur); });
    this.#tail = done;
  }

  /** Flushes the open chunk and waits until every byte is written. */
  async finish(): Promise<void> {
    this.#seal();
    await this.#tail;
  }

  /** Waits for queued work to settle without surfacing its errors (used before cleanup). */
  async settle(): Promise<void> {
    await this.#tail.catch(noop);
  }
}
