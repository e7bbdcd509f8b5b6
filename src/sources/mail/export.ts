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
import { bufferEntry, nodeForUnprivilegedChildren, privatePath, spoolFileEntry, startChild, summarizeStderr, type ChildPriority } from '../common/index.ts';
import { FrameReader } from './frame-reader.ts';
import { BlobSink, type CollectedBlob } from './blob-sink.ts';
import { keywordsFromFlags, maildirFlags } from './keywords.ts';
import { decodeModifiedUtf7, folderLevels, parentFolder, roleByName } from './folders.ts';
import { resolveMailOwner } from './owner.ts';
import { accountDocument } from './account.ts';
import type { ReaderFrame } from './reader-protocol.ts';
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

function parseFrame(line: string): ReaderFrame | null {
  try {
    const f = JSON.parse(line) as ReaderFrame;
    return f && typeof f === 'object' && typeof f.t === 'string' ? f : null;
  } catch {
    return null;
  }
}

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

  const isRoot = process.getuid?.() === 0;
  const place = await resolveMailOwner(mailbox.maildir, mailbox.owner, address);
  const id = isRoot ? place : null;
  const { child, exited } = startChild({
    command: id ? nodeForUnprivilegedChildren() : process.execPath,
    args: [CHILD_SCRIPT, JSON.stringify({ anchor: place.anchor, rest: place.rest })],
    // A minimal environment: the child runs as the tenant and needs nothing of ours.
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    cwd: '/',
    ...(id ? { uid: id.uid, gid: id.gid } : {}),
    priority: options.priority,
    signal: options.signal,
  });
  child.on('error', () => { /* reported through `exited` */ });
  const reader = new FrameReader(child.stdout!);
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

  const stopChild = () => {
    try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  const readFailure = async (why: string): Promise<AgentError> => {
    if (options.signal?.aborted) return new AgentError('AGENT_E_CANCELLED', `mailbox ${address}: cancelled`);
    // The child may still be writing; we stopped reading, so stop it before waiting for it.
    stopChild();
    const result = await exited.catch((e: Error) => ({ code: null, signal: null, stderr: e.message }));
    return new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: ${why}${result.stderr ? `: ${summarizeStderr(result.stderr, [])}` : ''}`, { data: { address } });
  };

  try {
    for (;;) {
      let line: string | null;
      try {
        line = await reader.line();
      } catch (err) {
        throw await readFailure((err as Error).message);
      }
      if (line === null) throw await readFailure('the Maildir reader stopped early');
      const f = parseFrame(line);
      if (!f) throw await readFailure('the Maildir reader sent garbage');
      if (f.t === 'done') break;
      if (f.t === 'fatal') {
        throw new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: cannot read ${mailbox.maildir}: ${f.code === 'ENOTMAILDIR' ? 'not a Maildir (no cur/ or new/)' : f.code}`, { data: { address, reason: f.code } });
      }
      if (f.t === 'warn') {
        warn({ code: f.code, path: `${base}/${f.path}`, message: `mailbox ${address}: ${f.path}: ${f.message}` });
        continue;
      }
      if (f.t === 'folder') {
        folders.set(f.folder, { folder: f.folder, keywords: f.keywords, total: 0, unread: 0, present: true });
        continue;
      }
      // The child runs as the tenant, who could tamper with it: check what it says. Nothing it
      // sends becomes an archive path (blob names are our own hashes), only JSON values.
      if (f.t !== 'message' || !folders.has(f.folder) || !Number.isSafeInteger(f.size) || f.size < 0) {
        throw await readFailure(`unexpected frame from the Maildir reader`);
      }

      const sink = new BlobSink(spoolDir, memoryLimit);
      let blob: CollectedBlob;
      try {
        await reader.bytes(f.size, (chunk) => sink.write(chunk));
        const end = parseFrame((await reader.line()) ?? '');
        if (end?.t !== 'messageEnd') throw new Error('message not terminated');
        if (!end.intact) {
          await sink.discard();
          warn({ code: 'MAIL_CHANGED', path: `${base}/${f.folder}/${f.subdir}/${f.name}`, message: `mailbox ${address}: a message changed while it was read and was left out` });
          continue;
        }
        blob = await sink.finish();
      } catch (err) {
        await sink.discard();
        if (err instanceof AgentError) throw err;
        throw await readFailure((err as Error).message);
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

    const result = await exited;
    if (result.code !== 0) throw await readFailure(`reader exited with ${result.code ?? result.signal}`);
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
      // Stopped early (error, abort, or the consumer quit): stop the child too.
      stopChild();
      await emails.close().catch(() => {});
      await exited.catch(() => {});
    }
    await reader.close().catch(() => {});
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
