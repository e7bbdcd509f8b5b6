// The framing between the home walk (walk-child.ts) and the daemon: a 4-byte little-endian
// length, a JSON header, then for files exactly `s` bytes of content. This stream is cut into
// the bodies of the account-child layer's `b` frames (account-child-frame.ts), which the layer's
// reader bounds first. The daemon treats every frame as untrusted input (see frame-parser.ts).

/** The layer's frame type whose body is the next piece of the walk's stream. */
export const WALK_CHUNK = 'b';

export type FrameHeader =
  | { t: 'd'; p: string; m: number; mt: number; u: number; g: number }
  /** `k`: the file has other hard links, so later 'h' frames may point to it. */
  | { t: 'f'; p: string; m: number; mt: number; u: number; g: number; s: number; k?: 1 }
  | { t: 'l'; p: string; m: number; mt: number; u: number; g: number; l: string }
  | { t: 'h'; p: string; m: number; mt: number; u: number; g: number; l: string }
  /**
   * The sha256 of exactly the bytes sent for a file. Checksums come in the order of the files,
   * each after its file's content but possibly after later frames: the reader hashes on another
   * thread and does not wait for it.
   */
  | { t: 's'; h: string }
  | { t: 'w'; c: string; p?: string; msg: string }
  | { t: 'e'; n: number };

/** Largest header the reader accepts; real ones are a few hundred bytes. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Files whose checksum may be outstanding at once; the reader has a few MiB in flight. */
export const MAX_UNSUMMED_FILES = 1 << 20;

/** Warning codes a home-directory read can produce. */
export const HOME_WARNINGS = {
  vanished: 'FILE_VANISHED',
  changed: 'FILE_CHANGED',
  unreadable: 'FILE_UNREADABLE',
  special: 'SPECIAL_FILE_SKIPPED',
  badName: 'NAME_NOT_UTF8',
  unsafePath: 'UNSAFE_PATH',
} as const;
