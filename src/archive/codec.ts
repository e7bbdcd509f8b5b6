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
}

/**
 * Compresses on the threadpool through a one-shot stream and keeps zlib's output pieces as
 * they are: unlike zlib.gzip()/zstdCompress(), no concatenated copy of every chunk's output.
 */
function compressWith(make: () => zlib.Gzip | zlib.ZstdCompress, input: Buffer): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const z = make();
    const out: Buffer[] = [];
    z.on('data', (b: Buffer) => out.push(b));
    z.once('end', () => resolve(out));
    z.once('error', reject);
    z.end(input);
  });
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
  // zlib's chunkSize is its output buffer. Large enough for a typical compressed chunk, one
  // threadpool pass compresses it instead of a round trip to the main thread per 16 KiB of
  // output; not so large that every call allocates a chunk-sized buffer it barely uses.
  if (name === 'gzip') {
    const chunkSize = 1 << 20;
    const opts = { level: level ?? DEFAULT_GZIP_LEVEL, chunkSize: 256 * 1024 };
    return { name, chunkSize, compress: (input) => compressWith(() => zlib.createGzip(opts), input), store: storedGzipMember };
  }
  const chunkSize = 1 << 20;
  const params = { [zlib.constants.ZSTD_c_compressionLevel]: level ?? DEFAULT_ZSTD_LEVEL };
  // The pledged size lets zstd size its window and tables to the chunk, not to the level's
  // defaults: several compressors run at once, each holding its context until collected.
  const compress = (input: Buffer) => compressWith(() => zlib.createZstdCompress({ chunkSize: 256 * 1024, params, pledgedSrcSize: input.length }), input);
  return { name, chunkSize, compress, store: rawZstdFrame };
}
