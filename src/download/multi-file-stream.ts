import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams bytes [start, end] of the concatenation of `files` (a split archive's parts) straight
 * from disk; nothing is buffered beyond the streams' own highWaterMark.
 */
export function concatenatedRange(files: { path: string; size: number }[], start: number, end: number): Readable {
  const out = new PassThrough();
  (async () => {
    let offset = 0;
    for (const f of files) {
      const fileStart = offset;
      const fileEnd = offset + f.size - 1;
      offset += f.size;
      if (fileEnd < start || fileStart > end || f.size === 0) continue;
      const from = Math.max(start, fileStart) - fileStart;
      const to = Math.min(end, fileEnd) - fileStart;
      await pipeline(fs.createReadStream(f.path, { start: from, end: to }), out, { end: false });
    }
    out.end();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
