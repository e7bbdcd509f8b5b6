// Where an archive's bytes come from. The spool is one kind; a destination (read with
// Destination.get, src/restore/destination-source.ts) is another: anything that can be opened
// as a stream, more than once, since the archive is read once to verify it and again to restore it.
import fs from 'node:fs';
import type { Compression } from './codec.ts';

export interface ArchiveSource {
  compression: Compression;
  /** Where the bytes come from, for messages and results ("spool", a destination's name). */
  origin: string;
  /** The archive's bytes from the start, parts concatenated. */
  open(): AsyncIterable<Buffer>;
  /** The parts' paths, when they are files on local disk. */
  files?: string[];
  /** Set when every read of the source fails at its end unless the bytes have this sha256. */
  sealedSha256?: string;
}

/** The archive's parts on local disk (the spool, or a file given to snapshot.import). */
export function localArchive(paths: string[], compression: Compression, origin = 'spool'): ArchiveSource {
  return {
    compression,
    origin,
    files: paths,
    async *open() {
      for (const p of paths) {
        for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      }
    },
  };
}

/** Compression told by the first bytes, so imported archives need no name convention. */
export function compressionOf(head: Buffer): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return null;
}

export function sniffCompression(firstPath: string): Compression | null {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(firstPath, 'r');
  let n: number;
  try { n = fs.readSync(fd, head, 0, 4, 0); } finally { fs.closeSync(fd); }
  return compressionOf(head.subarray(0, n));
}
