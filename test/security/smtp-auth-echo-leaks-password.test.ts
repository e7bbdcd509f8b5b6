// An SMTP server that echoes the client's AUTH lines in its rejection puts the password, base64
// encoded (AUTH PLAIN "\0user\0pass", AUTH LOGIN pass), into the error text. None of its spellings
// may reach the notify.test result, notify.history or the daemon's log.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startDaemon } from '../helpers/daemon.ts';

const USER = 'mailer';
const PASS = 'Echo-Me-S3cret';

function leaks(text: string): string[] {
  const b = (s: string) => Buffer.from(s).toString('base64');
  const forms = [PASS, encodeURIComponent(PASS), b(PASS), b(PASS).replace(/=+$/, ''), b(`\0${USER}\0${PASS}`), b(`${USER}\0${USER}\0${PASS}`), b(`${USER}:${PASS}`)];
  return forms.filter((f) => text.includes(f));
}

for (const method of ['PLAIN', 'LOGIN'] as const) {
  t.test(`AUTH ${method} echoed in the server's rejection`, async (t) => {
    const server = new SMTPServer({
      logger: false, disabledCommands: ['STARTTLS'], authOptional: false, allowInsecureAuth: true, authMethods: [method],
      onAuth(a, _session, cb) {
        // The echo: what the client sent, in the spellings it travelled as.
        const sent = method === 'PLAIN' ? Buffer.from(`\0${a.username}\0${a.password}`).toString('base64')
          : `${Buffer.from(a.username ?? '').toString('base64')} ${Buffer.from(a.password ?? '').toString('base64')}`;
        const err = Object.assign(new Error(`Rejected AUTH ${method} ${sent}`), { responseCode: 535 });
        cb(err);
      },
    });
    server.on('error', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const port = ((server as unknown as { server: import('node:net').Server }).server.address() as AddressInfo).port;

    const d = await startDaemon(t);
    const c = await d.admin();
    const auth = method === 'PLAIN' ? 'Plain' : 'Login';
    const url = `smtp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${port}/?fromaddress=a@h.test&toaddresses=b@h.test&encryption=None&auth=${auth}`;
    const result = await c.call<{ ok: boolean; error?: string }>('notify.test', { url }).catch((e: Error) => ({ ok: false, error: String(e.message) }));
    t.equal(result.ok, false);
    t.match(result.error ?? '', /Rejected AUTH/, 'the server\'s echo did arrive');
    t.same(leaks(JSON.stringify(result)), [], 'no spelling of the password in the notify.test result');
    const history = await c.call('notify.history', {});
    t.same(leaks(JSON.stringify(history)), [], 'none in notify.history');
    t.same(leaks(JSON.stringify(d.logs)), [], 'none in the log');
  });
}
