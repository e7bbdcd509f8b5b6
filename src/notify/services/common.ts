// Request builders and text helpers the service files share.
import type { HttpRequest, NotifyMessage } from '../types.ts';

export function jsonRequest(method: string, url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return { method, url, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function formRequest(url: string, fields: Record<string, string | undefined>, headers: Record<string, string> = {}): HttpRequest {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  return { method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: form.toString() };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Title and body as one text, for services without a title field. */
export function titled(message: NotifyMessage, title = message.title): string {
  return title ? `${title}\n${message.body}` : message.body;
}

/** Cuts a text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Splits a text into pieces no longer than `max` (as `measure` counts), preferring line breaks,
 * then spaces, so a message over a service's limit is sent as several.
 */
export function splitText(text: string, max: number, measure: (s: string) => number = (s) => [...s].length): string[] {
  const out: string[] = [];
  let rest = text;
  while (measure(rest) > max) {
    const chars = [...rest];
    let lo = 1;
    let hi = chars.length;
    // Longest prefix that fits (measure is monotonic in the prefix length).
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(chars.slice(0, mid).join('')) <= max) lo = mid; else hi = mid - 1;
    }
    const head = chars.slice(0, lo).join('');
    const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    const piece = cut > head.length / 2 ? head.slice(0, cut) : head;
    out.push(piece);
    rest = rest.slice(piece.length).replace(/^[\n ]/, '');
  }
  if (rest !== '' || out.length === 0) out.push(rest);
  return out;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** One field of a JSON response body (bark's code, slack's ok), or undefined when the body is not JSON. */
export function jsonField(body: string, field: string): unknown {
  try {
    return (JSON.parse(body) as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
}
