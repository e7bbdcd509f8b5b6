// An archive's tar stream: its source decompressed serially, zstd fed one frame at a time
// (zstd-frames.ts). The readers that take an archive once more after its verification (the
// manifest, the restore collector) read it through here and parse it with tar-reader.ts.
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { ZstdFrameSplitter } from './zstd-frames.ts';
import type { ArchiveSource } from './archive-source.ts';

// zlib's default 16 KiB output chunk means one threadpool round trip per 16 KiB.
const INFLATE_CHUNK = 1 << 20;

/** Decompressed chunks; stopping early (break, return) stops reading the source. */
export async function* tarBytes(source: Pick<ArchiveSource, 'compression' | 'open'>): AsyncGenerator<Buffer> {
  const splitter = source.compression === 'zstd' ? new ZstdFrameSplitter() : null;
  const decompress = source.compression === 'zstd' ? zlib.createZstdDecompress({ chunkSize: INFLATE_CHUNK }) : zlib.createGunzip({ chunkSize: INFLATE_CHUNK });
  async function* pieces(): AsyncGenerator<Buffer> {
    for await (const chunk of source.open()) {
      if (splitter) yield* splitter.push(chunk);
      else yield chunk;
    }
    splitter?.end();
  }
  const input = Readable.from(pieces());
  input.once('error', (err) => decompress.destroy(err));
  input.pipe(decompress);
  try {
    for await (const chunk of decompress) yield chunk as Buffer;
  } finally {
    input.destroy();
    decompress.destroy();
  }
}
