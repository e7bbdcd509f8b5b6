// Maildirs for the maildir attacks: one message with a marker in each, a tenant's mailbox under
// `mail/` in its home, and the one-shot export and restore the daemon runs for it.
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { createPrivateDir } from '../../src/sources/common/index.ts';
import { mailEntries } from '../../src/sources/mail/index.ts';
import { restoreMailbox } from '../../src/restore/mail.ts';
import type { AgentError } from '../../src/errors/index.ts';
import { entryBytes } from '../sources/spy-tool.ts';
import type { Tenant } from '../helpers/tenant.ts';

export const ADDRESS = 'box@example.com';

/** A Maildir at `dir` holding one message with `marker`, owned by `owner` (root when null). */
export function makeMarkedMaildir(dir: string, marker: string, owner: { uid: number; gid: number } | null): void {
  for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'cur', '1709550000.M1P1.host:2,S'), `Subject: ${marker}\r\n\r\n${marker}\r\n`, { mode: 0o600 });
  if (!owner) return;
  const chown = (p: string) => {
    fs.lchownSync(p, owner.uid, owner.gid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chown(path.join(p, e));
  };
  // From the tenant's `mail` directory down.
  chown(path.join(dir, '..', '..'));
}

/** `home/mail/box/Maildir`, made and owned by the tenant. */
export function tenantMaildir(tenant: Tenant, marker: string): string {
  const maildir = path.join(tenant.home, 'mail', 'box', 'Maildir');
  makeMarkedMaildir(maildir, marker, tenant);
  return maildir;
}

/** One export of the mailbox: the text of all it produced, or the error's code. */
export async function exportOnce(t: Test, maildir: string, owner: number | undefined): Promise<{ text?: string; code?: string }> {
  const spool = await createPrivateDir(path.dirname(path.dirname(path.dirname(path.dirname(maildir)))), 'spool-');
  t.teardown(spool.cleanup);
  try {
    const parts: Buffer[] = [];
    for await (const e of mailEntries({ mailbox: { address: ADDRESS, maildir, owner }, spoolDir: spool.dir })) {
      if (e.open) parts.push(await entryBytes(e.open));
    }
    return { text: Buffer.concat(parts).toString('latin1') };
  } catch (err) {
    return { code: (err as AgentError).code };
  } finally {
    await spool.cleanup();
  }
}

/** An export directory (emails.jsonl, blobs/) holding one message with `marker`. */
export async function exportDirWith(t: Test, work: string, marker: string, owner: Tenant): Promise<string> {
  fs.mkdirSync(path.join(work, 'export-src'));
  fs.chmodSync(path.join(work, 'export-src'), 0o755);
  const src = path.join(work, 'export-src', 'mail', 'box', 'Maildir');
  makeMarkedMaildir(src, marker, owner);
  const out = path.join(work, 'export');
  const spool = await createPrivateDir(work, 'spool-');
  t.teardown(spool.cleanup);
  for await (const e of mailEntries({ mailbox: { address: ADDRESS, maildir: src, owner: owner.uid }, spoolDir: spool.dir })) {
    const file = path.join(out, e.path.slice(`mail/${ADDRESS}/`.length));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await entryBytes(e.open));
  }
  return out;
}

/** One restore of `exportDir` into the mailbox: 'written' or the error's code. */
export async function restoreOnce(exportDir: string, maildir: string, owner: number | undefined): Promise<string> {
  try {
    await restoreMailbox({ address: ADDRESS, exportDir, maildir, owner, warn: () => {} });
    return 'written';
  } catch (err) {
    return (err as AgentError).code;
  }
}

/** Every file below `dir` with its content, to see that nothing in it changed. */
export function treeView(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      const st = fs.lstatSync(path.join(dir, r));
      out[r] = `${st.uid}:${(st.mode & 0o7777).toString(8)}`;
      if (e.isDirectory()) walk(r);
      else out[r] += `:${fs.readFileSync(path.join(dir, r), 'latin1')}`;
    }
  };
  walk('');
  return out;
}
