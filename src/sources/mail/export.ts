// One mailbox to the JMAP-shaped export of DESIGN.md §3, under mail/<address>/:
//   blobs/<sha256>.eml   raw RFC 5322 bytes, byte-exact, one per distinct message content
//   emails.jsonl         one JMAP Email per Maildir file (+ "hostagent:maildir" for restores)
//   mailboxes.json       JMAP Mailbox objects (+ "hostagent:maildirFolder")
//   account.json         address, counts, and the password hash only when it is Argon2id
// The Maildir is read by a child running as the mailbox owner; entries are yielded one message
// at a time (memory bounded by `memoryLimit` per message plus a set of seen hashes).
//
// receivedAt is the file's mtime: Dovecot and Courier keep a message's IMAP INTERNALDATE there
// (the time in the file name is only the delivery time). Threads are not computed: each email
// counts as its own thread. isSubscribed is true for every mailbox.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { AgentError } from '../../errors/index.ts';
import type { ArchiveEntry, SourceWarning } from '../../core/archive-part.ts';
import { AccountChildFailure, bufferEntry, privatePath, spoolFileEntry, startAccountChild, type ChildPriority } from '../common/index.ts';
import type { FrameHead } from '../common/account-child-frame.ts';
import { BlobSink, type CollectedBlob } from './blob-sink.ts';
import { keywordsFromFlags, maildirFlags } from './keywords.ts';
import { decodeModifiedUtf7, folderLevels, parentFolder, roleByName } from './folders.ts';
import { resolveMailOwner } from './owner.ts';
import { accountDocument } from './account.ts';
import type { FolderFrame, MessageFrame, WarnFrame } from './reader-protocol.ts';
import { siblingModule } from '../../core/sibling-module.ts';

export interface MailboxSpec {
  address: string;
  /** Absolute path of the Maildir (the INBOX; Maildir++ subfolders inside it). */
  maildir: string;
  /** Unix user name or uid the Maildir is read as; it must be who decides the Maildir's path, which is the default. */
  owner?: string | number;
  /** The mailbox's password hash as the mail server stores it; exported only when Argon2id. */
  passwordHash?: string | null;
}

export interface MailExportOptions {
  mailbox: MailboxSpec;
  /** Private (0700) directory of the caller for emails.jsonl and large messages; the caller removes it. */
  spoolDir: string;
  priority?: ChildPriority;
  signal?: AbortSignal;
  onWarning?: (warning: SourceWarning) => void;
  /** Messages up to this size are held in memory, larger ones spill to the spool. Default 1 MiB. */
  memoryLimit?: number;
}

// Addresses become one path segment: no separators, no control characters, no spaces.
const ADDRESS = /^[^\s/\\@\x00-\x1f\x7f]{1,64}@[^\s/\\@\x00-\x1f\x7f]{1,255}$/;

const CHILD_SCRIPT = siblingModule(import.meta.url, 'maildir-reader-child');

const ALL_RIGHTS = { mayReadItems: true, mayAddItems: true, mayRemoveItems: true, maySetSeen: true, maySetKeywords: true, mayCreateChild: true, mayRename: true, mayDelete: true, maySubmit: true };

function shortId(prefix: string, text: string): string {
  return prefix + createHash('sha256').update(text).digest('hex').slice(0, 24);
}

// The reader runs as the tenant, who could take it over: its frames are checked field by field.
// Nothing it sends becomes an archive path (blob names are our own hashes), only JSON values.
const str = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isFolderFrame = (f: FrameHead): f is FrameHead & FolderFrame =>
  f.t === 'folder' && str(f.folder, 1024) && Array.isArray(f.keywords) && f.keywords.length <= 26 && f.keywords.every((k) => k === null || str(k, 255));
const isWarnFrame = (f: FrameHead): f is FrameHead & WarnFrame => f.t === 'warn' && str(f.code, 40) && /^MAIL_[A-Z_]+$/.test(f.code) && str(f.path) && str(f.message);
const isMessageFrame = (f: FrameHead): f is FrameHead & MessageFrame =>
  f.t === 'message' && str(f.folder, 1024) && (f.subdir === 'cur' || f.subdir === 'new') && str(f.name, 1024)
  && Number.isSafeInteger(f.size) && (f.size as number) >= 0 && f.n === f.size && Number.isFinite(f.mtimeMs);

/** Time limit of one mailbox's reader, and the bound on what it may send. */
const READ_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_READER_OUTPUT = 2 ** 40;

function utcDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface FolderState {
  folder: string;
  keywords: string[];
  total: number;
  unread: number;
  /** Whether the folder exists on disk (parents of `.A.B` may exist only implicitly). */
  present: boolean;
}

function mailboxObjects(folders: Map<string, FolderState>): Record<string, unknown>[] {
  // Parents that only exist implicitly still get a Mailbox, so the tree is complete.
  for (const f of [...folders.keys()]) {
    for (let p = parentFolder(f); p !== null && !folders.has(p); p = parentFolder(p)) {
      folders.set(p, { folder: p, keywords: [], total: 0, unread: 0, present: false });
    }
  }
  const usedRoles = new Set<string>(['inbox']);
  return [...folders.values()].sort((a, b) => (a.folder < b.folder ? -1 : 1)).map((f) => {
    const levels = folderLevels(f.folder);
    const name = f.folder === '' ? 'Inbox' : decodeModifiedUtf7(levels[levels.length - 1]!);
    let role: string | null = f.folder === '' ? 'inbox' : null;
    if (levels.length === 1) {
      const r = roleByName(name);
      if (r && !usedRoles.has(r)) {
        role = r;
        usedRoles.add(r);
      }
    }
    const parent = parentFolder(f.folder);
    return {
      id: shortId('B', f.folder),
      name,
      parentId: parent === null || parent === '' ? null : shortId('B', parent),
      role,
      sortOrder: f.folder === '' ? 0 : role ? 1 : 10,
      totalEmails: f.total,
      unreadEmails: f.unread,
      totalThreads: f.total,
      unreadThreads: f.unread,
      myRights: ALL_RIGHTS,
      isSubscribed: true,
      'hostagent:maildirFolder': f.folder,
      'hostagent:present': f.present,
    };
  });
}

/** Yields the archive entries of one mailbox. Fails with AGENT_E_SOURCE_READ if the Maildir cannot be read. */
export async function* mailEntries(options: MailExportOptions): AsyncGenerator<ArchiveEntry> {
  const { mailbox, spoolDir } = options;
  const address = mailbox.address;
  if (!ADDRESS.test(address)) throw new AgentError('AGENT_E_INVALID', `mailboxes: "${address.slice(0, 100)}" is not a usable mail address`, { data: { field: 'mailboxes.address' } });
  if (!path.isAbsolute(mailbox.maildir)) throw new AgentError('AGENT_E_INVALID', `mailbox ${address}: maildir must be an absolute path`, { data: { field: 'mailboxes.maildir' } });
  if (options.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `mailbox ${address}: cancelled`);
  const base = `mail/${address}`;
  const warn = (w: SourceWarning) => options.onWarning?.(w);
  const memoryLimit = options.memoryLimit ?? 1024 * 1024;

  const place = await resolveMailOwner(mailbox.maildir, mailbox.owner, address);
  const child = startAccountChild({
    module: CHILD_SCRIPT,
    request: { anchor: place.anchor, rest: place.rest },
    as: { uid: place.uid, gid: place.gid },
    priority: options.priority,
    signal: options.signal,
    timeoutMs: READ_TIMEOUT_MS,
    maxOutputBytes: MAX_READER_OUTPUT,
  });
  const frames = child.frames();
  const emailsFile = privatePath(spoolDir, 'emails-', '.jsonl');
  const emails = await fsp.open(emailsFile, 'wx', 0o600);
  const folders = new Map<string, FolderState>();
  const seenBlobs = new Set<string>();
  let emailCount = 0;
  let finished = false;
  // Spilled copies not yet removed: each goes once the writer has read it, and whatever is
  // left (or still being removed) is gone before this generator returns.
  const spilled = new Set<string>();
  let pendingLines: string[] = [];
  const flushEmails = async () => {
    if (pendingLines.length) await emails.write(pendingLines.join('\n') + '\n');
    pendingLines = [];
  };

  const readFailure = (err: unknown): AgentError => {
    if (err instanceof AgentError) return err;
    if (options.signal?.aborted) return new AgentError('AGENT_E_CANCELLED', `mailbox ${address}: cancelled`);
    const code = err instanceof AccountChildFailure ? err.code : undefined;
    if (code && /^E[A-Z]+$/.test(code)) {
      const why = code === 'ENOTMAILDIR' ? 'not a Maildir (no cur/ or new/)' : code === 'ELOOP' ? 'a symbolic link on the way (not followed)' : code;
      return new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: cannot read ${mailbox.maildir}: ${why}`, { data: { address, reason: code } });
    }
    return new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: ${(err as Error).message}`, { data: { address } });
  };
  const nextFrame = async (): Promise<FrameHead | null> => {
    try {
      const r = await frames.next();
      return r.done ? null : r.value;
    } catch (err) {
      throw readFailure(err);
    }
  };

  try {
    for (;;) {
      const f = await nextFrame();
      if (f === null) break;
      if (isWarnFrame(f)) {
        warn({ code: f.code, path: `${base}/${f.path}`, message: `mailbox ${address}: ${f.path}: ${f.message}` });
        continue;
      }
      if (isFolderFrame(f)) {
        folders.set(f.folder, { folder: f.folder, keywords: f.keywords, total: 0, unread: 0, present: true });
        continue;
      }
      if (!isMessageFrame(f) || !folders.has(f.folder)) throw readFailure(new Error('unexpected frame from the Maildir reader'));

      const sink = new BlobSink(spoolDir, memoryLimit);
      let blob: CollectedBlob;
      try {
        await child.reader.body((chunk) => sink.write(chunk));
        const end = await nextFrame();
        if (end?.t !== 'messageEnd' || typeof end.intact !== 'boolean') throw new Error('message not terminated');
        if (!end.intact) {
          await sink.discard();
          warn({ code: 'MAIL_CHANGED', path: `${base}/${f.folder}/${f.subdir}/${f.name}`, message: `mailbox ${address}: a message changed while it was read and was left out` });
          continue;
        }
        blob = await sink.finish();
      } catch (err) {
        await sink.discard();
        throw readFailure(err);
      }

      const folder = folders.get(f.folder)!;
      const keywords = keywordsFromFlags(f.subdir === 'cur' ? maildirFlags(f.name) : '', folder.keywords);
      folder.total++;
      if (!keywords.$seen) folder.unread++;
      emailCount++;
      const email = {
        id: shortId('M', `${f.folder}/${f.name.split(':')[0]}`),
        blobId: blob.sha256,
        mailboxIds: { [shortId('B', f.folder)]: true },
        keywords,
        receivedAt: utcDate(f.mtimeMs),
        size: blob.size,
        'hostagent:maildir': { folder: f.folder, subdir: f.subdir, filename: f.name },
      };
      pendingLines.push(JSON.stringify(email));
      if (pendingLines.length >= 256) await flushEmails();

      if (seenBlobs.has(blob.sha256)) {
        if (blob.file) await fsp.rm(blob.file, { force: true });
        continue;
      }
      seenBlobs.add(blob.sha256);
      const blobPath = `${base}/blobs/${blob.sha256}.eml`;
      const mtime = new Date(f.mtimeMs);
      if (blob.data) {
        yield bufferEntry(blobPath, blob.data, mtime, 0o600);
      } else {
        const entry = spoolFileEntry(blobPath, blob.file!, blob.size, mtime, 0o600);
        const file = blob.file!;
        spilled.add(file);
        yield { ...entry, open: () => fs.createReadStream(file).once('close', () => { void fsp.rm(file, { force: true }).then(() => spilled.delete(file), () => {}); }) };
      }
    }

    await flushEmails();
    await emails.close();
    const st = await fsp.stat(emailsFile);
    const now = new Date();
    yield spoolFileEntry(`${base}/emails.jsonl`, emailsFile, st.size, now, 0o600);
    const boxes = mailboxObjects(folders);
    yield bufferEntry(`${base}/mailboxes.json`, Buffer.from(JSON.stringify(boxes, null, 2) + '\n'), now, 0o600);
    const account = accountDocument(address, mailbox.passwordHash, { mailboxes: boxes.length, emails: emailCount, blobs: seenBlobs.size });
    if (account.warning) warn(account.warning);
    yield bufferEntry(`${base}/account.json`, Buffer.from(JSON.stringify(account.doc, null, 2) + '\n'), now, 0o600);
    finished = true;
  } finally {
    if (!finished) {
      await emails.close().catch(() => {});
    }
    // Stopped early (error, abort, or the consumer quit), this stops the child too.
    await child.close();
    await Promise.all([...spilled].map((file) => fsp.rm(file, { force: true }).catch(() => {})));
  }
}

/** The entries of every mailbox of an account, one after the other. */
export async function* mailboxesEntries(mailboxes: MailboxSpec[], options: Omit<MailExportOptions, 'mailbox'>): AsyncGenerator<ArchiveEntry> {
  const addresses = new Set<string>();
  for (const m of mailboxes) {
    if (addresses.has(m.address)) throw new AgentError('AGENT_E_INVALID', `mailboxes: ${m.address} is listed twice`, { data: { field: 'mailboxes' } });
    addresses.add(m.address);
  }
  for (const mailbox of mailboxes) yield* mailEntries({ ...options, mailbox });
}
