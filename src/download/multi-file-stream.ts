import fs from 'node:fs';
import { Readable } from 'node:stream';

/** The bytes [start, end] of the parts, in order, read straight from disk. */
async function* partRanges(files: { path: string; size: number }[], start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const f of files) {
    const fileStart = offset;
    const fileEnd = offset + f.size - 1;
    offset += f.size;
    if (fileEnd < start || fileStart > end || f.size === 0) continue;
    // Leaving this loop early (the client went away) destroys the read stream and closes the file.
    for await (const chunk of fs.createReadStream(f.path, { start: Math.max(start, fileStart) - fileStart, end: Math.min(end, fileEnd) - fileStart })) {
      yield chunk as Buffer;
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
