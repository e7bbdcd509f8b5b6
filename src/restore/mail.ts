// Mail back into a Maildir from the JMAP-shaped export (mail/<address>/): each email's
// `hostagent:maildir` fields say folder, subdir and file name (flags included), and are
// validated before they become names. The writing happens in mail-writer-child.ts as the
// mail owner. Additive: nothing already in the Maildir is removed or replaced.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AgentError } from '../errors/index.ts';
import type { SourceWarning } from '../core/index.ts';
import { resolveMailOwner } from '../sources/mail/owner.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { siblingModule } from '../core/sibling-module.ts';

const CHILD_SCRIPT = siblingModule(import.meta.url, 'mail-writer-child');
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
  signal?: AbortSignal;
  warn(w: SourceWarning): void;
}

export async function restoreMailbox(o: MailRestoreOptions): Promise<{ written: number; present: number; skipped: number }> {
  // Never as root, and only as whoever decides the Maildir's path (owner.ts).
  const id = await resolveMailOwner(o.maildir, o.owner, o.address);
  const cfg = JSON.stringify({ anchor: id.anchor, rest: id.rest, uid: id.uid, gid: id.gid });
  const child = spawn(process.execPath, [CHILD_SCRIPT, cfg], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  const onAbort = () => child.kill('SIGKILL');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr = (stderr + s).slice(-4096); });
  const exited = new Promise<number | null>((resolve, reject) => { child.once('error', reject); child.once('close', resolve); });
  child.stdin.on('error', () => { /* reported by the exit status */ });
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
      const header = Buffer.from(JSON.stringify({ folder, subdir: place.subdir, filename: place.filename, size: data.length, mtime: Number.isFinite(received) ? received : Date.now() }));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(header.length);
      if (!child.stdin.write(Buffer.concat([len, header, data]))) await Promise.race([once(child.stdin, 'drain'), exited]);
    }
    child.stdin.end();
    const code = await exited;
    o.signal?.throwIfAborted();
    if (code !== 0) throw new AgentError('AGENT_E_INTERNAL', `mailbox ${o.address}: the Maildir writer failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`);
    const r = JSON.parse(stdout.trim()) as { written: number; present: number };
    return { ...r, skipped };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
