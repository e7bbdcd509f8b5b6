// Where a snapshot's bytes come from. The spool is one kind; a destination (read with
// Destination.get) is another: anything that can be opened as a stream, more than once,
// since the archive is read once to verify it and again to restore it.
import fs from 'node:fs';

export interface ArchiveSource {
  compression: 'gzip' | 'zstd';
  /** The archive's bytes from the start, parts concatenated. */
  open(): AsyncIterable<Buffer>;
}

/** The archive's parts on local disk (the spool, or a file given to snapshot.import). */
export function localArchive(paths: string[], compression: 'gzip' | 'zstd'): ArchiveSource {
  return {
    compression,
    async *open() {
      for (const p of paths) {
        for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      }
    },
  };
}

/** Compression told by the first bytes, so imported archives need no name convention. */
export function sniffCompression(firstPath: string): 'gzip' | 'zstd' | null {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(firstPath, 'r');
  try { fs.readSync(fd, head, 0, 4, 0); } finally { fs.closeSync(fd); }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return null;
}
