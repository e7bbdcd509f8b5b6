// What the unprivileged Maildir reader sends to the daemon on its stdout: one JSON line per
// frame; a `message` frame is followed by exactly `size` raw bytes and then a `messageEnd` line.

export interface FolderFrame {
  t: 'folder';
  /** Maildir++ folder directory name: '' for the INBOX (the Maildir root), else e.g. `.Archive.2024`. */
  folder: string;
  /** Dovecot custom keywords of this folder (dovecot-keywords), index = flag letter a, b, c… */
  keywords: string[];
}

export interface MessageFrame {
  t: 'message';
  folder: string;
  subdir: 'cur' | 'new';
  name: string;
  size: number;
  mtimeMs: number;
}

export interface MessageEndFrame {
  t: 'messageEnd';
  /** False when the file changed while it was read; the bytes sent are then not trustworthy. */
  intact: boolean;
}

export interface WarnFrame {
  t: 'warn';
  code: string;
  path: string;
  message: string;
}

export interface FatalFrame {
  t: 'fatal';
  code: string;
  message: string;
}

export interface DoneFrame {
  t: 'done';
}

export type ReaderFrame = FolderFrame | MessageFrame | MessageEndFrame | WarnFrame | FatalFrame | DoneFrame;
