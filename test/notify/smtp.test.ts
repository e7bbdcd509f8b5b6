// SMTP through a local smtp-server: headers and body as received, auth PLAIN and CRAM-MD5,
// implicit TLS and STARTTLS with a self-signed certificate made by openssl.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { deliver, dryRun, type DeliveryAttempt } from '../../src/notify/index.ts';
import { hasCommand, requirePeer } from '../helpers/peer.ts';

interface Mail { from: string; to: string[]; raw: string; secure: boolean; authMethod?: string; user?: string }

async function startSmtp(t: Test, options: Partial<SMTPServerOptions>): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    ...options,
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          authMethod: (session as unknown as { authMethod?: string }).authMethod,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  // A client refusing the certificate makes the server emit 'error'; that is expected here.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: ((server as unknown as { server: import("node:net").Server }).server.address() as AddressInfo).port, mails };
}

const message = { title: 'Backup of alice failed', body: 'line one\nline two' };
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1];

t.test('plain SMTP, several recipients, from name and subject', async (t) => {
  const srv = await startSmtp(t, { disabledCommands: ['STARTTLS', 'AUTH'] });
  const url = `smtp://127.0.0.1:${srv.port}/?fromaddress=agent@host.test&fromname=Host%20Agent&toaddresses=ops@ex.test,boss@ex.test&encryption=None`;
  const result = await deliver(url, message);
  t.equal(result.ok, true, result.error ?? '');
  t.equal(srv.mails.length, 2, 'one message per recipient');
  t.same(srv.mails.map((m) => m.to), [['ops@ex.test'], ['boss@ex.test']]);
  for (const m of srv.mails) {
    t.equal(m.from, 'agent@host.test');
    t.match(header(m.raw, 'From'), /^"?Host Agent"? <agent@host\.test>$/);
    t.equal(header(m.raw, 'Subject'), 'Backup of alice failed');
    t.match(header(m.raw, 'Content-Type'), /text\/plain/);
    t.match(m.raw, /\r\n\r\nline one\r\nline two/);
  }
  t.equal(header(srv.mails[0].raw, 'To'), 'ops@ex.test');
});

t.test('usehtml sends an HTML part too; subject from the URL wins', async (t) => {
  const srv = await startSmtp(t, { disabledCommands: ['STARTTLS', 'AUTH'] });
  const result = await deliver(`smtp://127.0.0.1:${srv.port}/?fromaddress=a@h.test&toaddresses=b@h.test&usehtml=yes&subject=Custom&encryption=None`,
    { title: 'T', body: '<b>bold</b>' });
  t.equal(result.ok, true, result.error ?? '');
  t.equal(header(srv.mails[0].raw, 'Subject'), 'Custom');
  t.match(srv.mails[0].raw, /multipart\/alternative/);
  t.match(srv.mails[0].raw, /Content-Type: text\/html[\s\S]*<b>bold<\/b>/);
});

for (const [auth, method] of [['Plain', 'PLAIN'], ['CRAMMD5', 'CRAM-MD5'], ['Login', 'LOGIN']] as const) {
  t.test(`auth ${auth}`, async (t) => {
    const srv = await startSmtp(t, {
      disabledCommands: ['STARTTLS'], authOptional: false, allowInsecureAuth: true, authMethods: [method],
      onAuth(a, session, cb) {
        (session as unknown as { authMethod: string }).authMethod = a.method;
        const ok = a.username === 'mailer' && (a.method === 'CRAM-MD5' ? a.validatePassword('SECRETsmtp') : a.password === 'SECRETsmtp');
        return ok ? cb(null, { user: a.username }) : cb(new Error('bad credentials'));
      },
    });
    const base = `127.0.0.1:${srv.port}/?fromaddress=a@h.test&toaddresses=b@h.test&encryption=None&auth=${auth}`;
    const result = await deliver(`smtp://mailer:SECRETsmtp@${base}`, message);
    t.equal(result.ok, true, result.error ?? '');
    t.equal(srv.mails[0]?.authMethod, method);
    t.equal(srv.mails[0]?.user, 'mailer');

    const attempts: DeliveryAttempt[] = [];
    const bad = await deliver(`smtp://mailer:SECRETwrong@${base}`, message, { onAttempt: (a) => attempts.push(a), policy: { attempts: 2, baseDelayMs: 5 } });
    t.equal(bad.ok, false);
    t.equal(attempts.length, 1, 'a refused login is final (5xx)');
    t.notMatch(JSON.stringify({ bad, attempts }), /SECRET/);
  });
}

t.test('TLS with a self-signed certificate', async (t) => {
  if (!requirePeer(t, 'openssl', hasCommand('openssl'))) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-smtp-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const key = fs.readFileSync(path.join(dir, 'key.pem'));
  const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
  const q = 'fromaddress=a@h.test&toaddresses=b@h.test';

  await t.test('ImplicitTLS', async (t) => {
    const srv = await startSmtp(t, { secure: true, key, cert, disabledCommands: ['AUTH'] });
    const url = `smtp://127.0.0.1:${srv.port}/?${q}&encryption=ImplicitTLS`;
    const untrusted = await deliver(url, message, { policy: { attempts: 1 } });
    t.equal(untrusted.ok, false, 'the self-signed certificate is refused without the CA');
    const result = await deliver(url, message, { ca: cert });
    t.equal(result.ok, true, result.error ?? '');
    t.equal(srv.mails[0]?.secure, true);
  });

  await t.test('ExplicitTLS (STARTTLS) with auth', async (t) => {
    const srv = await startSmtp(t, { key, cert, authMethods: ['PLAIN'], onAuth: (a, _s, cb) => cb(null, { user: a.username }) });
    const result = await deliver(`smtp://u:SECRETp@127.0.0.1:${srv.port}/?${q}&encryption=ExplicitTLS&auth=Plain`, message, { ca: cert });
    t.equal(result.ok, true, result.error ?? '');
    t.equal(srv.mails[0]?.secure, true, 'upgraded with STARTTLS');
  });

  await t.test('skiptlsverify accepts the certificate without the CA', async (t) => {
    const srv = await startSmtp(t, { secure: true, key, cert, disabledCommands: ['AUTH'] });
    const result = await deliver(`smtp://127.0.0.1:${srv.port}/?${q}&encryption=ImplicitTLS&skiptlsverify=yes`, message);
    t.equal(result.ok, true, result.error ?? '');
  });

  await t.test('requirestarttls fails against a server without STARTTLS', async (t) => {
    const srv = await startSmtp(t, { disabledCommands: ['AUTH', 'STARTTLS'] });
    const result = await deliver(`smtp://127.0.0.1:${srv.port}/?${q}&requirestarttls=yes`, message, { policy: { attempts: 1 } });
    t.equal(result.ok, false);
    t.equal(srv.mails.length, 0);
  });

  await t.test('Auto with usestarttls=no stays plain', async (t) => {
    const srv = await startSmtp(t, { key, cert, disabledCommands: ['AUTH'] });
    const result = await deliver(`smtp://127.0.0.1:${srv.port}/?${q}&usestarttls=no`, message, { ca: cert });
    t.equal(result.ok, true, result.error ?? '');
    t.equal(srv.mails[0]?.secure, false);
  });
});

t.test('dry run shows the mail without the password and sends nothing', async (t) => {
  const srv = await startSmtp(t, { disabledCommands: ['STARTTLS', 'AUTH'] });
  const planned = await dryRun(`smtp://mailer:SECRETsmtp@127.0.0.1:${srv.port}/?fromaddress=a@h.test&toaddresses=b@h.test,c@h.test&auth=Plain`, message);
  t.equal(planned.length, 2);
  t.match(planned[0], { method: 'SMTP', url: `smtp://127.0.0.1:${srv.port}`, headers: { From: 'a@h.test', To: 'b@h.test', Subject: message.title }, body: message.body });
  t.notMatch(JSON.stringify(planned), /SECRET/);
  t.equal(srv.mails.length, 0);
});
