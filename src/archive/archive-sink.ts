// Where the archive writer puts compressed bytes: the spool (PartSink), or a sink that also
// streams them elsewhere while they are produced (src/app/backup/streamed-upload.ts).

export interface SinkResult {
  sha256: string;
  bytes: number;
  /** The archive file, or its parts in order; their base names are the parts' names. */
  paths: string[];
}

export interface ArchiveSink {
  /** Bytes accepted so far. */
  readonly bytes: number;
  /** Appends pieces in order; the caller may reuse them once this resolves. Not re-entrant. */
  write(pieces: Buffer[]): Promise<void>;
  /** Completes the archive; nothing counts as written before this resolves. */
  finish(): Promise<SinkResult>;
  /** Removes everything this sink made, after a failure. */
  discard(): Promise<void>;
}
