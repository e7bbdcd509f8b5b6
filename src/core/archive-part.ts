import type { Readable } from 'node:stream';

/** One regular file, directory or link a source contributes to an account_full archive. */
export interface ArchiveEntry {
  /** Path inside the archive, '/'-separated, relative, e.g. `databases/shop.sql`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: Date;
  /** Required for files: tar headers carry the size before the data. */
  size?: number;
  linkTarget?: string;
  /** Opens the data of a file entry; called once, when the entry is written. */
  open?: () => Readable;
}

export interface SourceWarning {
  code: string;
  path?: string;
  message: string;
}
