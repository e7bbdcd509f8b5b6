// E-mail: smtp://[user:password@]host[:port]/?fromaddress=a@b&fromname=&toaddresses=x@y,z@w&subject=&auth=Plain&encryption=Auto
//   &usestarttls=yes&requirestarttls=no&skiptlsverify=no&usehtml=no&clienthost=localhost&timeout=10s
// Sent through nodemailer, one message per recipient as shoutrrr does. auth: None, Plain, CRAMMD5,
// Login, Unknown (let the server choose). encryption: None, ExplicitTLS (STARTTLS required),
// ImplicitTLS (TLS from the start), Auto (implicit on port 465, otherwise STARTTLS when offered,
// unless usestarttls=no).
import { UrlParts } from '../url-parts.ts';
import { REDACTED } from '../../core/redact.ts';
import { credentialForms } from '../secrets.ts';
import type { NotifyService } from '../types.ts';

export interface SmtpConfig {
  host: string; port: number; user: string; password: string; from: string; fromName: string; to: string[];
  subject?: string; auth: 'None' | 'Plain' | 'CRAMMD5' | 'Login' | 'Unknown'; encryption: 'None' | 'ExplicitTLS' | 'ImplicitTLS' | 'Auto';
  useStartTls: boolean; requireStartTls: boolean; skipTlsVerify: boolean; useHtml: boolean; clientHost: string;
  /** From the URL's timeout=, overriding the configured request timeout. */
  timeoutMs?: number;
}

const ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+$/;
const GO_DURATION_UNIT: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration subset shoutrrr URLs use ("10s", "1m30s", "500ms"), in milliseconds. */
function goDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * GO_DURATION_UNIT[m[2]];
  return ms;
}

// A '+' in an address arrives as a space after query decoding; shoutrrr puts it back.
const plusFix = (a: string) => a.replace(/ /g, '+');
const TRANSIENT = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

export const smtp: NotifyService<SmtpConfig> = {
  name: 'smtp',
  schemes: ['smtp'],
  parse(url) {
    const p: UrlParts = new UrlParts('smtp', url);
    if (!p.hostname) p.fail('the host', 'is missing');
    const from = plusFix(p.q('fromaddress', 'from') ?? '');
    if (!from) p.fail('query parameter "fromaddress"', 'is missing');
    if (!ADDRESS.test(from)) p.fail('query parameter "fromaddress"', 'is not an e-mail address');
    const to = p.list('toaddresses', 'to').map(plusFix);
    if (to.length === 0) p.fail('query parameter "toaddresses"', 'is missing');
    if (!to.every((a) => ADDRESS.test(a))) p.fail('query parameter "toaddresses"', 'holds something that is not an e-mail address');
    const c: SmtpConfig = {
      host: p.hostname.replace(/^\[|\]$/g, ''), port: p.port ?? 25, user: p.user, password: p.password, from, fromName: p.str('fromname', ''), to,
      subject: p.q('subject', 'title'), auth: p.oneOf('auth', ['None', 'Plain', 'CRAMMD5', 'Login', 'Unknown'] as const, 'Unknown'),
      encryption: p.oneOf('encryption', ['None', 'ExplicitTLS', 'ImplicitTLS', 'Auto'] as const, 'Auto'),
      useStartTls: p.bool('usestarttls', true, 'starttls'), requireStartTls: p.bool('requirestarttls', false),
      skipTlsVerify: p.bool('skiptlsverify', false), useHtml: p.bool('usehtml', false), clientHost: p.str('clienthost', 'localhost'),
    };
    const timeout = p.q('timeout');
    if (timeout) {
      const ms = goDuration(timeout);
      if (ms === undefined || ms < 1 || ms > 600_000) p.fail('query parameter "timeout"', 'must be a duration such as 10s or 1m30s (at most 10m)');
      c.timeoutMs = ms;
    }
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => credentialForms(c.user, c.password),
  async send(c, message, ctx) {
    const implicit = c.encryption === 'ImplicitTLS' || (c.encryption === 'Auto' && c.port === 465);
    const authMethod = { None: undefined, Plain: 'PLAIN', CRAMMD5: 'CRAM-MD5', Login: 'LOGIN', Unknown: undefined }[c.auth];
    const withAuth = c.auth !== 'None' && (c.user !== '' || c.password !== '');
    const subject = c.subject ?? message.title;
    const timeoutMs = c.timeoutMs ?? ctx.timeoutMs;
    for (const to of c.to) {
      const mail = {
        from: c.fromName ? { name: c.fromName, address: c.from } : c.from,
        to, subject,
        text: message.body,
        ...(c.useHtml ? { html: message.body } : {}),
      };
      if (ctx.dryRun) {
        const headers: Record<string, string> = {
          From: c.fromName ? `"${c.fromName}" <${c.from}>` : c.from, To: to, Subject: subject,
          'Content-Type': c.useHtml ? 'multipart/alternative (text/plain, text/html)' : 'text/plain; charset=utf-8',
          'X-SMTP-Encryption': implicit ? 'ImplicitTLS' : c.encryption === 'None' || !c.useStartTls ? 'None' : c.encryption === 'ExplicitTLS' ? 'ExplicitTLS' : 'STARTTLS when offered',
        };
        if (withAuth) headers['X-SMTP-Auth'] = `${authMethod ?? 'server choice'} ${c.user} ${REDACTED}`;
        ctx.plan({ method: 'SMTP', url: `smtp://${c.host}:${c.port}`, headers, body: message.body });
        continue;
      }
      await ctx.retrying('smtp', async () => {
        // Loaded on first send: nodemailer costs ~19 MiB of daemon RSS that an idle agent never needs.
        const { default: nodemailer } = await import('nodemailer');
        const transport = nodemailer.createTransport({
          host: c.host, port: c.port, secure: implicit,
          ignoreTLS: !implicit && (c.encryption === 'None' || (c.encryption === 'Auto' && !c.useStartTls)),
          requireTLS: c.encryption === 'ExplicitTLS' || (c.encryption === 'Auto' && c.useStartTls && c.requireStartTls),
          name: c.clientHost,
          auth: withAuth ? { user: c.user, pass: c.password } : undefined,
          authMethod,
          connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
          tls: { ...(ctx.ca ? { ca: ctx.ca } : {}), ...(c.skipTlsVerify ? { rejectUnauthorized: false } : {}) },
        });
        try {
          return await transport.sendMail(mail);
        } finally {
          transport.close();
        }
      }, (err) => {
        const e = err as { code?: string; responseCode?: number };
        return (e.code !== undefined && TRANSIENT.has(e.code)) || (typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 500);
      });
    }
  },
};
