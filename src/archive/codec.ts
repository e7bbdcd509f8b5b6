// The two compressors. Each turns a chunk of tar bytes into one self-contained member (gzip)
// or frame (zstd); members and frames concatenated are one valid .gz / .zst stream, which is
// what lets chunks be compressed in parallel on libuv's threadpool, as pigz does with threads.
// Chunks of already-compressed media are "stored": wrapped without compression, on the main
// thread, at the cost of a CRC.
import zlib from 'node:zlib';

export type Compression = 'gzip' | 'zstd';

export interface Codec {
  readonly name: Compression;
  /** Bytes of input per compressed chunk: small enough to parallelise, large enough to compress well. */
  readonly chunkSize: number;
  /** The compressed member or frame, as the pieces zlib produced them (written as they are). */
  compress(input: Buffer): Promise<Buffer[]>;
  /** Wraps the bytes without compressing them; returns the pieces to write, sharing input memory. */
  store(input: Buffer[], length: number): Buffer[];
  /** Frees the compressors kept between chunks; the codec is not used afterwards. */
  close(): void;
}

type Compressor = zlib.Gzip | zlib.ZstdCompress;

interface Kept {
  z: Compressor;
  out: Buffer[];
  fail: ((err: Error) => void) | null;
}

/**
 * Compressors kept from chunk to chunk, each compressing one chunk at a time on the threadpool.
 * A chunk is written and then ended as its own member or frame (`endFlag`; gzip also resets to
 * start the next member), so a compression context is set up once per archive instead of once
 * per chunk: for zstd, making a context and its tables cost a third of compressing a chunk.
 * zlib's output pieces are kept as they are, with no concatenated copy of each chunk's output.
 */
class KeptCompressors {
  readonly #make: () => Compressor;
  readonly #endFlag: number;
  readonly #reset: boolean;
  readonly #idle: Kept[] = [];
  /**
   * Compressors that may exist, each holding its context: no more than the threadpool can run
   * at once. Calls beyond wait for one to come back.
   */
  #room = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);
  readonly #waiters: Array<(kept: Kept) => void> = [];
  #closed = false;

  constructor(make: () => Compressor, endFlag: number, reset: boolean) {
    this.#make = make;
    this.#endFlag = endFlag;
    this.#reset = reset;
  }

  #create(): Kept {
    const kept: Kept = { z: this.#make(), out: [], fail: null };
    kept.z.on('data', (b: Buffer) => kept.out.push(b));
    kept.z.on('error', (err) => kept.fail?.(err));
    return kept;
  }

  #acquire(): Kept | Promise<Kept> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#room > 0) { this.#room--; return this.#create(); }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands a compressor to the next waiting call, or keeps it; a broken one frees its place. */
  #release(kept: Kept | null): void {
    const waiter = this.#waiters.shift();
    if (kept && !this.#closed) {
      if (waiter) waiter(kept);
      else this.#idle.push(kept);
      return;
    }
    kept?.z.destroy();
    if (waiter) waiter(this.#create());
    else this.#room++;
  }

  async compress(input: Buffer): Promise<Buffer[]> {
    const kept = await this.#acquire();
    let out: Buffer[];
    try {
      out = await new Promise<Buffer[]>((resolve, reject) => {
        kept.fail = reject;
        kept.z.write(input);
        kept.z.flush(this.#endFlag, () => {
          kept.fail = null;
          const pieces = kept.out;
          kept.out = [];
          if (this.#reset) (kept.z as unknown as { reset(): void }).reset();
          resolve(pieces);
        });
      });
    } catch (err) {
      kept.z.destroy();
      this.#release(null);
      throw err;
    }
    this.#release(kept);
    return out;
  }

  close(): void {
    this.#closed = true;
    for (const kept of this.#idle.splice(0)) kept.z.destroy();
  }
}

const GZIP_STORED_BLOCK = 65535;
const ZSTD_RAW_BLOCK = 128 * 1024;

/** Visits `length` bytes of `input` as consecutive blocks of at most `max` bytes. */
function eachBlock(input: Buffer[], length: number, max: number, visit: (blockLen: number, pieces: Buffer[]) => void): void {
  let idx = 0;
  let off = 0;
  let remaining = length;
  do {
    const blockLen = Math.min(max, remaining);
    const pieces: Buffer[] = [];
    let need = blockLen;
    while (need > 0) {
      const buf = input[idx];
      const take = Math.min(need, buf.length - off);
      pieces.push(buf.subarray(off, off + take));
      need -= take;
      off += take;
      if (off === buf.length) { idx++; off = 0; }
    }
    remaining -= blockLen;
    visit(blockLen, pieces);
  } while (remaining > 0);
}

/** A gzip member made of deflate "stored" blocks (RFC 1951 3.2.4). */
function storedGzipMember(input: Buffer[], length: number): Buffer[] {
  const out: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])];
  let crc = 0;
  for (const b of input) crc = zlib.crc32(b, crc);
  let remaining = length;
  eachBlock(input, length, GZIP_STORED_BLOCK, (blockLen, pieces) => {
    remaining -= blockLen;
    const head = Buffer.allocUnsafe(5);
    head[0] = remaining === 0 ? 1 : 0;
    head.writeUInt16LE(blockLen, 1);
    head.writeUInt16LE(~blockLen & 0xffff, 3);
    out.push(head, ...pieces);
  });
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  out.push(trailer);
  return out;
}

/** A zstd frame made of raw blocks (RFC 8878 3.1.1), single-segment with its content size. */
function rawZstdFrame(input: Buffer[], length: number): Buffer[] {
  const head = Buffer.allocUnsafe(9);
  head.writeUInt32LE(0xfd2fb528, 0);
  head[4] = 0xa0; // Frame_Content_Size_flag = 2 (4 bytes), Single_Segment_flag = 1, no checksum
  head.writeUInt32LE(length, 5);
  const out: Buffer[] = [head];
  let remaining = length;
  eachBlock(input, length, ZSTD_RAW_BLOCK, (blockLen, pieces) => {
    remaining -= blockLen;
    const bh = Buffer.allocUnsafe(3);
    bh.writeUIntLE((blockLen << 3) | (remaining === 0 ? 1 : 0), 0, 3);
    out.push(bh, ...pieces);
  });
  return out;
}

/**
 * gzip level for compressible chunks when none is configured. On source-code-like text, level 4
 * deflates about three times as fast as 6 for output about 15% larger; media, most of a hosting
 * account's bytes, is stored either way, so the archive grows by about 1%.
 */
export const DEFAULT_GZIP_LEVEL = 4;
export const DEFAULT_ZSTD_LEVEL = 3;

export function makeCodec(name: Compression, level?: number): Codec {
  const chunkSize = 1 << 20;
  // zlib's chunkSize is its output buffer. Large enough for a typical compressed chunk, one
  // threadpool pass compresses it instead of a round trip to the main thread per 16 KiB of
  // output; not so large that every call allocates a chunk-sized buffer it barely uses.
  const outputSize = 256 * 1024;
  if (name === 'gzip') {
    const opts = { level: level ?? DEFAULT_GZIP_LEVEL, chunkSize: outputSize };
    const kept = new KeptCompressors(() => zlib.createGzip(opts), zlib.constants.Z_FINISH, true);
    return { name, chunkSize, compress: (input) => kept.compress(input), store: storedGzipMember, close: () => kept.close() };
  }
  // The window need not exceed a chunk: each frame holds one chunk. Several compressors live at
  // once, so their tables are sized to the chunk, not to the level's defaults.
  const params = {
    [zlib.constants.ZSTD_c_compressionLevel]: level ?? DEFAULT_ZSTD_LEVEL,
    [zlib.constants.ZSTD_c_windowLog]: Math.log2(chunkSize),
  };
  const kept = new KeptCompressors(() => zlib.createZstdCompress({ chunkSize: outputSize, params }), zlib.constants.ZSTD_e_end, false);
  return { name, chunkSize, compress: (input) => kept.compress(input), store: rawZstdFrame, close: () => kept.close() };
}
