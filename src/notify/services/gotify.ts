// Gotify: gotify://host[:port][/path]/token?priority=0&title=&disabletls=no&useheader=no&insecureskipverify=no&extras={json}
// POST https://host/path/message?token=TOKEN (or the X-Gotify-Key header) with {message, title, priority[, extras]}.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface GotifyConfig {
  host: string; path: string; token: string; priority: number; title?: string; disableTls: boolean; useHeader: boolean;
  insecureSkipVerify: boolean; extras?: Record<string, unknown>;
}

// Gotify's own token rule: 15 characters, starting with 'A'.
const TOKEN = /^A[A-Za-z0-9._-]{14}$/;

export const gotify: NotifyService<GotifyConfig> = {
  name: 'gotify',
  schemes: ['gotify'],
  parse(url) {
    const p: UrlParts = new UrlParts('gotify', url);
    if (!p.host) p.fail('the host', 'is missing');
    const segs = p.segments;
    const token = segs.pop();
    if (!token) p.fail('the token (last path segment)', 'is missing');
    if (!TOKEN.test(token)) p.fail('the token (last path segment)', 'is not a gotify application token (15 characters starting with A)');
    const c: GotifyConfig = {
      host: p.host,
      path: segs.length ? `/${segs.map(encodeURIComponent).join('/')}` : '',
      token,
      priority: p.int('priority', 0, [-2, 10]),
      title: p.q('title'),
      disableTls: p.bool('disabletls', false),
      useHeader: p.bool('useheader', false),
      insecureSkipVerify: p.bool('insecureskipverify', false),
    };
    const extras = p.q('extras');
    if (extras) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(extras);
      } catch {
        p.fail('query parameter "extras"', 'is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) p.fail('query parameter "extras"', 'must be a JSON object');
      c.extras = parsed as Record<string, unknown>;
    }
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.token],
  async send(c, message, ctx) {
    const base = `${c.disableTls ? 'http' : 'https'}://${c.host}${c.path}/message`;
    const body: Record<string, unknown> = { message: message.body, title: c.title ?? message.title, priority: c.priority };
    if (c.extras) body.extras = c.extras;
    const req = c.useHeader
      ? jsonRequest('POST', base, body, { 'X-Gotify-Key': c.token })
      : jsonRequest('POST', `${base}?token=${encodeURIComponent(c.token)}`, body);
    await ctx.http({ ...req, insecureSkipVerify: c.insecureSkipVerify });
  },
};
