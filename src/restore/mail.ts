// Mail back into a Maildir from the JMAP-shaped export (mail/<address>/): each email's
// `hostagent:maildir` fields say folder, subdir and file name (flags included), and are
// validated before they become names. The writing happens in mail-writer-child.ts, a child
// acting as the mail owner (account-child.ts). Additive: nothing already in the Maildir is
// removed or replaced.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { AgentError } from '../errors/index.ts';
import { startAccountChild, type ChildPriority } from '../sources/common/index.ts';
import { encodeHead } from '../sources/common/account-child-frame.ts';
import type { SourceWarning } from '../core/index.ts';
import { resolveMailOwner } from '../sources/mail/owner.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { siblingModule } from '../core/sibling-module.ts';
import type { MessageHeader } from './mail-writer-child.ts';

const CHILD_SCRIPT = siblingModule(import.meta.url, 'mail-writer-child');
const WRITE_TIMEOUT_MS = 24 * 60 * 60 * 1000;
// Maildir++ folder: '' (INBOX) or '.' + levels separated by '.', no '/', no empty level.
const FOLDER = /^(\.[^./\x00-\x1f\x7f][^/\x00-\x1f\x7f]{0,254})?$/;
const FILENAME = /^[^./\x00-\x1f\x7f][^/\x00-\x1f\x7f]{0,254}$/;
const BLOB = /^[0-9a-f]{64}$/;

export interface MaildirPlace { folder: string; subdir: 'cur' | 'new'; filename: string }

/** The email's Maildir place if every field is safe to use as a name; null otherwise. */
export function maildirPlace(email: Record<string, unknown>): MaildirPlace | null {
  const m = email['hostagent:maildir'] as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object') return null;
  const { folder, subdir, filename } = m;
  if (typeof folder !== 'string' || !FOLDER.test(folder) || folder.split('.').slice(1).some((l) => l === '')) return null;
  if (subdir !== 'cur' && subdir !== 'new') return null;
  if (typeof filename !== 'string' || !FILENAME.test(filename)) return null;
  return { folder, subdir, filename };
}

export interface MailRestoreOptions {
  address: string;
  /** Directory with emails.jsonl and blobs/ (in the job's work area). */
  exportDir: string;
  maildir: string;
  owner?: string | number;
  /** Staging: every folder goes under this top-level folder, e.g. `Restored-20260101T000000Z`. */
  intoFolder?: string;
  /** The job's nice/ionice. */
  priority?: ChildPriority;
  signal?: AbortSignal;
  warn(w: SourceWarning): void;
}

export async function restoreMailbox(o: MailRestoreOptions): Promise<{ written: number; present: number; skipped: number }> {
  // Never as root, and only as whoever decides the Maildir's path (owner.ts).
  const id = await resolveMailOwner(o.maildir, o.owner, o.address);
  const child = startAccountChild({
    module: CHILD_SCRIPT, request: { anchor: id.anchor, rest: id.rest }, as: { uid: id.uid, gid: id.gid },
    priority: o.priority, signal: o.signal, timeoutMs: WRITE_TIMEOUT_MS, maxOutputBytes: 64 * 1024, input: 'stream',
  });
  const stdin = child.input!;
  stdin.on('error', () => { /* the child stopped reading; its frames say why */ });
  const fail = (err: unknown) => {
    if (err instanceof AgentError) return err;
    if (o.signal?.aborted) return new AgentError('AGENT_E_CANCELLED', `mailbox ${o.address}: cancelled`);
    return new AgentError('AGENT_E_INTERNAL', `mailbox ${o.address}: the Maildir writer failed: ${(err as Error).message}`, { cause: err });
  };
  let skipped = 0;
  try {
    const lines = readline.createInterface({ input: fs.createReadStream(path.join(o.exportDir, 'emails.jsonl')), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let email: Record<string, unknown>;
      try { email = JSON.parse(line) as Record<string, unknown>; } catch { email = {}; }
      const place = maildirPlace(email);
      const blobId = email.blobId;
      if (!place || typeof blobId !== 'string' || !BLOB.test(blobId)) {
        skipped++;
        o.warn({ code: RESTORE_WARNINGS.mail, path: `mail/${o.address}`, message: 'an email with unusable Maildir fields was skipped' });
        continue;
      }
      let data: Buffer;
      try {
        data = fs.readFileSync(path.join(o.exportDir, 'blobs', `${blobId}.eml`));
      } catch {
        skipped++;
        o.warn({ code: RESTORE_WARNINGS.mail, path: `mail/${o.address}/blobs/${blobId}.eml`, message: 'message content missing from the archive; skipped' });
        continue;
      }
      const folder = o.intoFolder ? `.${o.intoFolder}${place.folder}` : place.folder;
      const received = Date.parse(String(email.receivedAt));
      const header: MessageHeader = { t: 'message', folder, subdir: place.subdir, filename: place.filename, mtime: Number.isFinite(received) ? received : Date.now() };
      if (!stdin.write(Buffer.concat([encodeHead({ ...header, n: data.length }), data]))) await Promise.race([once(stdin, 'drain').catch(() => {}), child.exited]);
    }
    stdin.end();
    let stats: { written: number; present: number } | null = null;
    const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    try {
      for await (const f of child.frames()) {
        if (f.t !== 'stats' || stats || !count(f.written) || !count(f.present)) throw new Error('unexpected frame from the Maildir writer');
        stats = { written: f.written, present: f.present };
      }
    } catch (err) {
      throw fail(err);
    }
    if (!stats) throw fail(new Error('the Maildir writer sent no result'));
    return { ...stats, skipped };
  } finally {
    await child.close();
  }
}
