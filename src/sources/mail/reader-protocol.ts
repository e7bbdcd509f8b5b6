// What the Maildir reader (a child acting as the mailbox owner) sends to the daemon, in the
// account-child framing (account-child-frame.ts): a `message` frame carries exactly `size`
// bytes of content as its body and is followed by a `messageEnd` frame. The layer's own `end`
// and `fatal` frames finish the stream.

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

export type ReaderFrame = FolderFrame | MessageFrame | MessageEndFrame | WarnFrame;
