import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { IS_ROOT } from '../../helpers/peer.ts';
import { makeMaildir, type GeneratedMessage } from './make-maildir.ts';
import { mailEntries, accountDocument } from '../../../src/sources/mail/index.ts';
import { createPrivateDir } from '../../../src/sources/common/index.ts';
import type { ArchiveEntry, SourceWarning } from '../../../src/core/archive-part.ts';
import type { AgentError } from '../../../src/errors/index.ts';

const COUNT = 1000;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Memory in use after collecting: heap plus Buffers. Collected twice, because V8 frees Buffer
 * memory on a background thread after a collection: right after one, up to all of a 40 MiB
 * message's already-dropped chunks can still be counted. The next collection waits for that.
 */
function liveMemory(): number {
  gc();
  gc();
  const mem = process.memoryUsage();
  return mem.heapUsed + mem.arrayBuffers;
}
const CLEAR_PASSWORD = 'Cl3ar-Text-P@ssw0rd-never-exported';
const ARGON = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';

// Generating and checking 1,000+ messages takes a few seconds; more on a loaded 2-core CI box.
t.setTimeout(120_000);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-mail-'));
process.once('exit', () => fs.rmSync(work, { recursive: true, force: true }));
fs.chmodSync(work, 0o755);
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

// As root, the Maildir belongs to a real unprivileged user and must be read as that user.
let owner: { name: string; uid: number; gid: number } | undefined;
if (IS_ROOT) {
  const name = `hatm${randomBytes(3).toString('hex')}`;
  execFileSync('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', '-U', name]);
  // Also on a timeout or crash, where teardown does not run.
  const removeUser = () => { try { execFileSync('userdel', [name], { stdio: 'ignore' }); } catch { /* gone */ } };
  process.once('exit', removeUser);
  t.teardown(removeUser);
  owner = { name, uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' })) };
}

const maildir = path.join(work, 'Maildir');
const generated = makeMaildir(maildir, COUNT, owner);
fs.chmodSync(maildir, 0o700);
if (owner) {
  // Root-only content inside the tenant's Maildir: the owner cannot read it, so neither may we.
  fs.writeFileSync(path.join(maildir, 'cur', '1709000000.M1P1.secret:2,S'), 'Subject: root only\r\n\r\nTOP-SECRET-ROOT-ONLY\r\n', { mode: 0o600 });
}
fs.symlinkSync('/etc/hostname', path.join(maildir, 'cur', '1709000001.M1P1.link:2,S'));

// A small second Maildir for the tests that run the export many times.
const smallMaildir = path.join(work, 'Small');
makeMaildir(smallMaildir, 30, owner);

async function exportTo(out: string, options: { passwordHash?: string | null; from?: string; measure?: boolean }) {
  const spool = await createPrivateDir(work, 'spool-');
  const warnings: SourceWarning[] = [];
  const entries: ArchiveEntry[] = [];
  let peakMemory = 0;
  for await (const e of mailEntries({
    mailbox: { address: 'tenant@example.com', maildir: options.from ?? maildir, owner: owner?.name, passwordHash: options.passwordHash },
    spoolDir: spool.dir, memoryLimit: 64 * 1024, onWarning: (w) => warnings.push(w), priority: { nice: 5, ioniceClass: 'best-effort' },
  })) {
    entries.push({ ...e, open: undefined });
    if (options.measure && e.size! > 1024 * 1024) {
      // Live memory while an entry is handed over: a message held in memory would show here.
      peakMemory = Math.max(peakMemory, liveMemory());
    }
    // Behave like the archive writer: one entry at a time, size known before the data.
    const file = path.join(out, e.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await pipeline(e.open!(), fs.createWriteStream(file));
    const written = fs.statSync(file).size;
    if (written !== e.size) throw new Error(`${e.path}: announced ${e.size}, got ${written}`);
  }
  const left = fs.readdirSync(spool.dir);
  await spool.cleanup();
  return { entries, warnings, peakMemory, left };
}

t.test(`a ${COUNT}+ message Maildir exports byte-exact with keywords and mailboxes`, async (t) => {
  const out = path.join(work, 'out1');
  const { entries, warnings, left } = await exportTo(out, { passwordHash: ARGON });
  const base = path.join(out, 'mail', 'tenant@example.com');
  t.same(left.filter((f) => !f.startsWith('emails-')), [], 'spilled message copies were removed once read');

  // Every blob is named by the sha256 of its bytes (checked by GNU sha256sum, not by us).
  const blobs = fs.readdirSync(path.join(base, 'blobs'));
  const sums = execFileSync('sha256sum', blobs, { cwd: path.join(base, 'blobs'), encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const line of sums.trim().split('\n')) {
    const [sum, name] = line.split(/\s+/);
    if (`${sum}.eml` !== name) t.fail(`blob ${name} has sha256 ${sum}`);
  }
  const distinct = new Set(generated.map((g) => g.sha256));
  t.equal(blobs.length, distinct.size, `deduplicated: ${generated.length} messages, ${distinct.size} distinct blobs`);
  t.ok(generated.length >= 1000);

  // Every original message is in the export byte for byte.
  let exact = 0;
  for (const g of generated) {
    const original = fs.readFileSync(path.join(maildir, g.folder, g.subdir, g.name));
    const blob = fs.readFileSync(path.join(base, 'blobs', `${g.sha256}.eml`));
    if (original.equals(blob)) exact++;
  }
  t.equal(exact, generated.length, 'every message byte-exact');
  t.ok(generated.some((g) => g.sha256 && fs.statSync(path.join(base, 'blobs', `${g.sha256}.eml`)).size > 64 * 1024), 'large messages (spilled to the spool) included');

  const emails = fs.readFileSync(path.join(base, 'emails.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  const mailboxes = JSON.parse(fs.readFileSync(path.join(base, 'mailboxes.json'), 'utf8')) as Array<Record<string, any>>;
  t.equal(emails.length, generated.length, 'one Email per message file; tmp/, symlinks and unreadable files left out');
  const byName = new Map(emails.map((e) => [`${e['hostagent:maildir'].folder}/${e['hostagent:maildir'].filename}`, e]));
  const boxByFolder = new Map(mailboxes.map((m) => [m['hostagent:maildirFolder'] as string, m]));
  const expectKeywords = (g: GeneratedMessage) => {
    const map: Record<string, string> = { S: '$seen', R: '$answered', F: '$flagged', D: '$draft', P: '$forwarded', T: '$deleted', a: '$junk', b: 'work-project' };
    return Object.fromEntries([...g.flags].map((f) => [map[f], true]));
  };
  let matched = 0;
  const counts = new Map<string, { total: number; unread: number }>();
  for (const g of generated) {
    const e = byName.get(`${g.folder}/${g.name}`);
    if (!e) { t.fail(`no email for ${g.folder}/${g.name}`); continue; }
    const c = counts.get(g.folder) ?? { total: 0, unread: 0 };
    c.total++;
    if (!g.flags.includes('S')) c.unread++;
    counts.set(g.folder, c);
    const ok = e.blobId === g.sha256
      && JSON.stringify(e.mailboxIds) === JSON.stringify({ [boxByFolder.get(g.folder)!.id]: true })
      && JSON.stringify(Object.keys(e.keywords).sort()) === JSON.stringify(Object.keys(expectKeywords(g)).sort())
      && e.receivedAt === new Date(g.mtimeMs).toISOString().replace('.000Z', 'Z')
      && e.size === fs.statSync(path.join(maildir, g.folder, g.subdir, g.name)).size
      && e['hostagent:maildir'].subdir === g.subdir;
    if (ok) matched++;
    else t.fail(`email mismatch for ${g.folder}/${g.name}: ${JSON.stringify(e)}`);
  }
  t.equal(matched, generated.length, 'blobId, mailboxIds, keywords, receivedAt, size match for every message');
  t.equal(new Set(emails.map((e) => e.id)).size, emails.length, 'email ids are unique');

  const roles = Object.fromEntries(mailboxes.filter((m) => m.role).map((m) => [m.role, m.name]));
  t.same(roles, { inbox: 'Inbox', sent: 'Sent', drafts: 'Drafts', trash: 'Trash', junk: 'Junk', archive: 'Archive' });
  const y2024 = boxByFolder.get('.Archive.2024')!;
  t.equal(y2024.name, '2024');
  t.equal(y2024.parentId, boxByFolder.get('.Archive')!.id, 'Maildir++ hierarchy becomes parentId');
  t.equal(boxByFolder.get('.Entw&APw-rfe')!.name, 'Entwürfe', 'modified UTF-7 folder names decoded');
  const kunden = boxByFolder.get('.Projects.Kunden')!;
  t.ok(kunden, 'implicit parent folders get a mailbox');
  t.equal(kunden['hostagent:present'], false);
  t.equal(boxByFolder.get('.Projects.Kunden.M&APw-ller')!.parentId, kunden.id);
  t.equal(boxByFolder.get('.Projects.Kunden.M&APw-ller')!.name, 'Müller');
  t.equal(boxByFolder.get('')!.parentId, null);
  for (const [folder, c] of counts) {
    const m = boxByFolder.get(folder)!;
    if (m.totalEmails !== c.total || m.unreadEmails !== c.unread) t.fail(`${folder}: counts ${m.totalEmails}/${m.unreadEmails}, expected ${c.total}/${c.unread}`);
  }
  t.equal(mailboxes.reduce((n, m) => n + m.totalEmails, 0), generated.length, 'mailbox totals add up');

  const account = JSON.parse(fs.readFileSync(path.join(base, 'account.json'), 'utf8'));
  t.equal(account.address, 'tenant@example.com');
  t.equal(account.passwordHash, ARGON, 'an Argon2id hash is exported');
  t.equal(account.emails, generated.length);

  const codes = warnings.map((w) => w.code).sort();
  t.ok(codes.includes('MAIL_SKIPPED_SYMLINK'), 'symlink skipped with a warning');
  if (owner) {
    t.ok(codes.includes('MAIL_UNREADABLE'), 'root-only file unreadable as the owner: warning');
    const all = execFileSync('sh', ['-c', 'grep -rlF TOP-SECRET-ROOT-ONLY . || true'], { cwd: out, encoding: 'utf8' }).trim();
    t.equal(all, '', 'root-only content never reaches the export');
  }
  t.notOk(fs.existsSync(path.join(base, 'blobs', `${createHash('sha256').update('From: partial\r\n').digest('hex')}.eml`)), 'tmp/ not exported');
  const order = entries.map((e) => path.basename(e.path));
  t.same(order.slice(-3), ['emails.jsonl', 'mailboxes.json', 'account.json']);
});

t.test('only Argon2id hashes are exported; clear text never', async (t) => {
  for (const [hash, exported] of [
    [CLEAR_PASSWORD, false],
    [`{PLAIN}${CLEAR_PASSWORD}`, false],
    ['$2y$10$abcdefghijklmnopqrstuuJ0zP1v8Qm2b1o2a3b4c5d6e7f8g9h0i', false],
    ['{SHA512-CRYPT}$6$salt$' + 'x'.repeat(86), false],
    ['$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub', false],
    [`{ARGON2ID}${ARGON}`, true],
    [ARGON, true],
  ] as const) {
    const { doc, warning } = accountDocument('tenant@example.com', hash, { mailboxes: 1, emails: 0, blobs: 0 });
    if (exported) {
      t.equal(doc.passwordHash, ARGON, 'Argon2id exported, scheme prefix stripped');
      t.equal(warning, undefined);
    } else {
      t.equal(doc.passwordHash, undefined, `not exported: ${hash.slice(0, 12)}`);
      t.equal(warning?.code, 'MAIL_PASSWORD_NOT_EXPORTED', 'a warning says so');
      t.notOk(JSON.stringify({ doc, warning }).includes(hash), 'neither the document nor the warning carries it');
    }
  }
  // And through a whole export: the clear text appears in no exported byte.
  const out = path.join(work, 'out-pw');
  const { warnings } = await exportTo(out, { passwordHash: CLEAR_PASSWORD, from: smallMaildir });
  t.ok(warnings.some((w) => w.code === 'MAIL_PASSWORD_NOT_EXPORTED'));
  t.notOk(JSON.stringify(warnings).includes(CLEAR_PASSWORD));
  const leaked = execFileSync('sh', ['-c', 'grep -rlF -- "$1" . || true', 'sh', CLEAR_PASSWORD], { cwd: out, encoding: 'utf8' }).trim();
  t.equal(leaked, '', 'the clear-text password appears nowhere in the export');
  t.ok(fs.existsSync(path.join(out, 'mail', 'tenant@example.com', 'account.json')));
  fs.rmSync(out, { recursive: true, force: true });
});

t.test('memory stays bounded: a 40 MiB message and many small ones', async (t) => {
  const big = path.join(work, 'Big');
  makeMaildir(big, 200, owner);
  const huge = Buffer.alloc(40 * 1024 * 1024, 'A');
  huge.write('Subject: huge attachment\r\n\r\n');
  const hugeName = path.join(big, 'cur', '1709550999.M9P9.mailhost:2,S');
  fs.writeFileSync(hugeName, huge);
  if (owner) fs.chownSync(hugeName, owner.uid, owner.gid);
  const hugeSum = createHash('sha256').update(huge).digest('hex');
  const before = liveMemory();
  const out = path.join(work, 'out-big');
  const { peakMemory } = await exportTo(out, { from: big, measure: true });
  const grew = peakMemory - before;
  t.ok(grew < 8 * 1024 * 1024, `JS memory grew by ${(grew / 1048576).toFixed(1)} MiB while exporting a 40 MiB message`);
  const copy = path.join(out, 'mail', 'tenant@example.com', 'blobs', `${hugeSum}.eml`);
  t.equal(execFileSync('sha256sum', [copy], { encoding: 'utf8' }).split(' ')[0], hugeSum, 'the large message is byte-exact');
  fs.rmSync(out, { recursive: true, force: true });
});

t.test('a missing or non-Maildir directory is AGENT_E_SOURCE_READ', async (t) => {
  const spool = await createPrivateDir(work, 'spool-');
  t.teardown(spool.cleanup);
  const run = async (dir: string) => {
    try {
      for await (const _ of mailEntries({ mailbox: { address: 'x@example.com', maildir: dir }, spoolDir: spool.dir })) { /* drain */ }
      return null;
    } catch (err) {
      return err as AgentError;
    }
  };
  const missing = await run(path.join(work, 'nope'));
  t.equal(missing?.code, 'AGENT_E_SOURCE_READ');
  t.match(missing?.message, /x@example\.com/);
  const plain = path.join(work, 'plain');
  fs.mkdirSync(plain);
  if (owner) {
    // Only root decides a root-owned directory in a root-owned place: mail is never read as root.
    const asRoot = await run(plain);
    t.equal(asRoot?.code, 'AGENT_E_SOURCE_READ');
    t.match(asRoot?.message, /never read or written as root/);
    fs.chownSync(plain, owner.uid, owner.gid);
  }
  const notMaildir = await run(plain);
  t.equal(notMaildir?.code, 'AGENT_E_SOURCE_READ');
  t.match(notMaildir?.message, /not a Maildir/);
  const bad = await run('relative/path');
  t.equal(bad?.code, 'AGENT_E_INVALID');
});

t.test('abort stops the reader; quitting early stops it too', async (t) => {
  const spool = await createPrivateDir(work, 'spool-');
  t.teardown(spool.cleanup);
  const ac = new AbortController();
  let n = 0;
  const err = await (async () => {
    for await (const e of mailEntries({ mailbox: { address: 'tenant@example.com', maildir, owner: owner?.name }, spoolDir: spool.dir, signal: ac.signal })) {
      for await (const _ of e.open!()) { /* read */ }
      if (++n === 20) ac.abort();
      await new Promise((r) => setTimeout(r, 5));
    }
  })().then(() => null, (e: AgentError) => e);
  t.equal(err?.code, 'AGENT_E_CANCELLED');
  t.ok(n < COUNT, `stopped after ${n} of ${COUNT} messages`);
  let m = 0;
  for await (const _ of mailEntries({ mailbox: { address: 'tenant@example.com', maildir, owner: owner?.name }, spoolDir: spool.dir })) {
    if (++m === 5) break;
  }
  t.equal(m, 5, 'the consumer may stop early without hanging');
});
