// Hiding the secret parts of notification URLs and of everything derived from them
// (request URLs, headers, bodies, error messages).
import { redactText, REDACTED } from '../core/redact.ts';
import type { OutgoingRequest } from './types.ts';

const AUTH_HEADER = /^(authorization|proxy-authorization|access-token|x-gotify-key)$/i;

/** Every spelling of a secret that may appear in text: raw, %-encoded, form-encoded. */
function spellings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]);
  return [...forms];
}

/** Replaces each secret (in any spelling) by `***`, then scrubs URL userinfo and secret-named query values. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const all = secrets.filter((s) => s.length > 0).flatMap(spellings).sort((a, b) => b.length - a.length);
  for (const s of all) out = out.split(s).join(REDACTED);
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
