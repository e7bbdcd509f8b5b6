import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ArchiveEntry } from '../../core/archive-part.ts';

/** An archive file entry whose data is a file in the caller's spool directory. */
export function spoolFileEntry(archivePath: string, file: string, size: number, mtime: Date, mode = 0o600): ArchiveEntry {
  return { path: archivePath, type: 'file', mode, mtime, size, open: () => fs.createReadStream(file) };
}

/** An archive file entry held in memory (small generated files: JSON documents, zone files). */
export function bufferEntry(archivePath: string, data: Buffer, mtime: Date, mode = 0o644): ArchiveEntry {
  return { path: archivePath, type: 'file', mode, mtime, size: data.length, open: () => Readable.from([data]) };
}
