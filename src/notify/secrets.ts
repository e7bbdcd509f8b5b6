// Hiding the secret parts of notification URLs and of everything derived from them
// (request URLs, headers, bodies, error messages).
import { redactText, REDACTED } from '../core/redact.ts';
import type { OutgoingRequest } from './types.ts';

const AUTH_HEADER = /^(authorization|proxy-authorization|access-token|x-gotify-key)$/i;

/**
 * Every spelling a protocol may send a secret in: raw, %-encoded, form-encoded, base64 (with and
 * without padding). Credential pairs (see credentialForms) are secrets too, so their base64 covers
 * AUTH PLAIN and HTTP Basic.
 */
export function spellings(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), b64, b64.replace(/=+$/, '')]);
  return [...forms].filter((f) => f.length > 0);
}

/** The composites a user and password travel as: AUTH PLAIN ("\0user\0pass", "user\0user\0pass"), HTTP Basic ("user:pass"), AUTH LOGIN (user alone is not secret, pass is). */
export function credentialForms(user: string, password: string): string[] {
  if (password === '') return [];
  return [password, `\0${user}\0${password}`, `${user}\0${user}\0${password}`, `${user}:${password}`];
}

const WORD = /[A-Za-z0-9]/;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A secret is hidden only as a whole token, whatever its length: a secret "backupjob" leaves the
// word "backupjobs" alone. A %-escape or a JSON escape just before it still ends the previous
// token ("%0ASECRET", "\nSECRET"). A service whose requests glue a secret to text names that
// glued form as a secret of its own (telegram's "bot<token>").
const TOKEN_START = '(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2})|(?<=\\\\[bfnrt]))';
const TOKEN_END = '(?![A-Za-z0-9])';

/** Matches a spelling only as a whole token: a secret "art" leaves "start" alone. */
function tokenPattern(spelling: string): string {
  const before = WORD.test(spelling[0]!) ? TOKEN_START : '';
  const after = WORD.test(spelling[spelling.length - 1]!) ? TOKEN_END : '';
  return before + escapeRe(spelling) + after;
}

/** Replaces each secret (in any spelling, as a whole token) by `***`, then scrubs URL userinfo and secret-named query values. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const all = [...new Set(secrets.filter((s) => s.length > 0).flatMap(spellings))].sort((a, b) => b.length - a.length);
  const out = all.length === 0 ? text : text.replace(new RegExp(all.map(tokenPattern).join('|'), 'g'), REDACTED);
  return redactText(out);
}

/** A request as a dry run shows it: secrets in URL, headers and body replaced by `***`. */
export function redactRequest(req: OutgoingRequest, secrets: readonly string[]): OutgoingRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (AUTH_HEADER.test(k)) {
      const scheme = /^(Basic|Bearer|GenieKey|Token)\s/i.exec(v)?.[1];
      headers[k] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      headers[k] = scrubSecrets(v, secrets);
    }
  }
  const out: OutgoingRequest = { method: req.method, url: scrubSecrets(req.url, secrets), headers };
  if (req.body !== undefined) out.body = scrubSecrets(req.body, secrets);
  return out;
}
