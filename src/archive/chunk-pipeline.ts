// Cuts the tar byte stream into chunks, compresses them concurrently (threadpool) and writes
// the results strictly in order. A chunk never mixes compressible and stored data, so media
// costs a CRC instead of a deflate pass. Chunks live in a fixed pool of buffers: memory stays
// bounded whatever the archive size, and a full pool is the backpressure signal (write()
// returns a promise only then).
import type { Codec } from './codec.ts';
import type { ArchiveSink } from './archive-sink.ts';
import { EarlyCollect } from './early-collect.ts';

export type ChunkMode = 'compress' | 'store';

const noop = (): void => {};

/** A fixed set of items handed out in turn; an empty pool makes acquire() wait. */
class Pool<T> {
  readonly #free: T[] = [];
  readonly #waiters: Array<(item: T) => void> = [];

  constructor(items: T[]) {
    this.#free.push(...items);
  }

  tryAcquire(): T | undefined {
    return this.#free.pop();
  }

  acquire(): Promise<T> {
    const item = this.#free.pop();
    return item !== undefined ? Promise.resolve(item) : new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#free.push(item);
  }
}

export class ChunkPipeline {
  readonly #codec: Codec;
  readonly #sink: ArchiveSink;
  readonly #pool: Pool<Buffer>;
  /**
   * Chunks sealed but not yet written. A compressed chunk gives its input buffer back as soon
   * as it is compressed, so a slow chunk ahead in the write order does not idle the other
   * compressors; these tickets still bound the compressed output waiting for its turn.
   */
  readonly #slots: Pool<number>;
  #cur: Buffer | null = null;
  /** The write slot reserved for the chunk being filled. */
  #slot: number | undefined;
  #len = 0;
  #mode: ChunkMode | null = null;
  #tail: Promise<void> = Promise.resolve();
  #failed = false;
  #waiting: Promise<void> | null = null;
  readonly #garbage: EarlyCollect;
  /** Uncompressed bytes accepted so far. */
  bytesIn = 0;

  constructor(codec: Codec, sink: ArchiveSink, buffers = 6) {
    this.#codec = codec;
    this.#sink = sink;
    this.#pool = new Pool<Buffer>(Array.from({ length: buffers }, () => Buffer.allocUnsafeSlow(codec.chunkSize)));
    // Live: the pool, a compressed output per slot, and the file reader's buffer.
    this.#garbage = new EarlyCollect(buffers * codec.chunkSize * 3 + (8 << 20));
    this.#slots = new Pool(Array.from({ length: buffers * 2 }, (_v, i) => i));
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
        if (this.#slot === undefined) this.#slot = this.#slots.tryAcquire();
        const b = this.#slot === undefined ? undefined : this.#pool.tryAcquire();
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
      this.#slot ??= await this.#slots.acquire();
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
    const slot = this.#slot;
    const mode = this.#mode ?? 'compress';
    this.#cur = null;
    this.#len = 0;
    this.#mode = null;
    if (!cur || slot === undefined) return;
    this.#slot = undefined;
    if (len === 0) { this.#pool.release(cur); this.#slots.release(slot); return; }
    const input = cur.subarray(0, len);
    const stored = mode === 'store';
    const work: Promise<Buffer[]> = stored
      ? Promise.resolve(this.#codec.store([input], len))
      : this.#codec.compress(input);
    work.catch(noop);
    const done = this.#tail.then(() => work).then(async (pieces) => {
      await this.#sink.write(pieces);
      if (!stored) this.#garbage.check();
    });
    // Stored pieces share the input buffer, free once written; a compressed chunk's input is
    // free once compressed. Buffers and slots go back even on failure, so a waiting writer
    // wakes up and sees it.
    const fail = (): void => { this.#failed = true; };
    (stored ? done : work).then(noop, fail).finally(() => this.#pool.release(cur));
    done.then(noop, fail).finally(() => this.#slots.release(slot));
    this.#tail = done;
  }

  /** Flushes the open chunk and waits until every byte is written. */
  async finish(): Promise<void> {
    this.#seal();
    await this.#tail;
    this.#codec.close();
  }

  /** Waits for queued work to settle without surfacing its errors (used before cleanup). */
  async settle(): Promise<void> {
    await this.#tail.catch(noop);
    this.#codec.close();
  }
}
