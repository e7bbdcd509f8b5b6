// Reads a child's stdout pipe into a small pool of reused buffers (net.Socket `onread`), so a
// child that sends gigabytes (the home walk) does not become gigabytes of short-lived Buffers
// for the garbage collector. Reading stops while every buffer of the pool is handed out: the
// queue between child and daemon is the pool plus the pipe's own buffer.
import net from 'node:net';
import type { Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;
const POOL_BUFFERS = 16;

export class PipeChunks {
  readonly #free: Buffer[] = Array.from({ length: POOL_BUFFERS }, () => Buffer.allocUnsafe(CHUNK_BYTES));
  readonly #ready: { chunk: Buffer; from: Buffer }[] = [];
  readonly #socket: net.Socket;
  /** The pool buffer behind the chunk handed out last; it is free again at the next `next()`. */
  #lent: Buffer | null = null;
  #ended = false;
  #paused = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  /** Takes over the pipe of `stream`, which must not have started reading. */
  static from(stream: Readable): PipeChunks | null {
    const handle = (stream as unknown as { _handle?: unknown })._handle;
    return handle ? new PipeChunks(handle) : null;
  }

  private constructor(handle: unknown) {
    const wake = (): void => { const w = this.#wake; this.#wake = null; w?.(); };
    // Node asks `buffer` for the buffer of the next read right after each callback, and keeps the
    // last one when the pool offers none: so the buffer on top of the pool stays there until that
    // read fills it, and reading pauses while the pool holds no other.
    const s = new net.Socket({
      handle, readable: true, writable: false,
      onread: {
        buffer: () => this.#free[this.#free.length - 1]!,
        callback: (n: number, buf: Buffer) => {
          this.#free.splice(this.#free.lastIndexOf(buf), 1);
          this.#ready.push({ chunk: buf.subarray(0, n), from: buf });
          wake();
          if (this.#free.length > 1) return true;
          this.#paused = true;
          s.pause();
          return false;
        },
      },
    } as unknown as net.SocketConstructorOpts);
    s.on('error', (err) => { this.#error = err; wake(); });
    s.on('end', () => { this.#ended = true; wake(); });
    s.on('close', () => { this.#ended = true; wake(); });
    this.#socket = s;
  }

  /**
   * The next chunk, or null at the end. The chunk stays valid until the next call: copy what must
   * outlive it.
   */
  async next(): Promise<Buffer | null> {
    if (this.#lent) {
      this.#free.unshift(this.#lent);
      this.#lent = null;
      if (this.#paused && this.#free.length > 1) {
        this.#paused = false;
        this.#socket.resume();
      }
    }
    while (this.#ready.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
    const { chunk, from } = this.#ready.shift()!;
    this.#lent = from;
    return chunk;
  }

  close(): void {
    this.#socket.destroy();
  }
}
