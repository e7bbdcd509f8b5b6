// Google Chat: googlechat://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN (also hangouts://)
// POST https://<same host, path and query> with {text}.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, titled } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface GoogleChatConfig { host: string; path: string; key: string; token: string }

export const googlechat: NotifyService<GoogleChatConfig> = {
  name: 'googlechat',
  schemes: ['googlechat', 'hangouts'],
  parse(url) {
    const p: UrlParts = new UrlParts('googlechat', url);
    if (!p.host) p.fail('the host', 'is missing');
    if (p.segments.length === 0) p.fail('the path', 'is missing (expected /v1/spaces/SPACE/messages)');
    const key = p.q('key');
    const token = p.q('token');
    if (!key) p.fail('query parameter "key"', 'is missing');
    if (!token) p.fail('query parameter "token"', 'is missing');
    p.rejectUnknownQuery();
    return { host: p.host, path: url.pathname, key, token };
  },
  secrets: (c) => [c.key, c.token],
  async send(c, message, ctx) {
    const q = new URLSearchParams({ key: c.key, token: c.token });
    await ctx.http(jsonRequest('POST', `https://${c.host}${c.path}?${q}`, { text: titled(message) }));
  },
};
