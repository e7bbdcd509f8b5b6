import fs from 'node:fs';
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/**
 * The bytes [start, end] of the parts, in order, read straight from disk. Nothing is awaited
 * after the last byte is handed on: a client that has every byte closes at once, and the
 * response must end before that, not after a threadpool round trip to close a file.
 */
async function* partRanges(files: { path: string; size: number }[], start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const f of files) {
    const fileStart = offset;
    const fileEnd = offset + f.size - 1;
    offset += f.size;
    if (fileEnd < start || fileStart > end || f.size === 0) continue;
    let position = Math.max(start, fileStart) - fileStart;
    let left = Math.min(end, fileEnd) - fileStart - position + 1;
    const file = await fs.promises.open(f.path, 'r');
    try {
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const { bytesRead } = await file.read(buf, 0, buf.length, position);
        if (bytesRead === 0) throw new Error(`${f.path} ends before its recorded size`);
        position += bytesRead;
        left -= bytesRead;
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      // Leaving early (the client went away) or at the end: closed without waiting for it.
      void file.close().catch(() => undefined);
    }
  }
}

/**
 * Streams bytes [start, end] of the concatenation of `files` (a split archive's parts). Pulled by
 * the consumer, so nothing is buffered beyond one chunk; destroying the stream stops the reading.
 */
export function concatenatedRange(files: { path: string; size: number }[], start: number, end: number): Readable {
  return Readable.from(partRanges(files, start, end), { objectMode: false });
}
