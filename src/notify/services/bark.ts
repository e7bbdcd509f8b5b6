// Bark (iOS push): bark://:devicekey@host[:port][/path]?title=&sound=&badge=&icon=&group=&url=&category=&copy=&scheme=https
// POST {scheme}://host/path/push with a JSON body; the server answers {code: 200} on success.
import { UrlParts } from '../url-parts.ts';
import { sendError } from '../retry.ts';
import { jsonField, jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface BarkConfig {
  host: string; path: string; deviceKey: string; scheme: 'http' | 'https';
  title?: string; sound: string; badge: number; icon: string; group: string; url: string; category: string; copy: string;
}

export const bark: NotifyService<BarkConfig> = {
  name: 'bark',
  schemes: ['bark'],
  parse(url) {
    const p: UrlParts = new UrlParts('bark', url);
    const deviceKey = p.password || p.user;
    if (!deviceKey) p.fail('the device key (password part)', 'is missing');
    if (!p.host) p.fail('the host', 'is missing');
    const c: BarkConfig = {
      host: p.host,
      path: url.pathname === '' ? '/' : url.pathname,
      deviceKey,
      scheme: p.oneOf('scheme', ['https', 'http'] as const, 'https'),
      title: p.q('title'),
      sound: p.str('sound', ''),
      badge: p.int('badge', 0, [0, 1_000_000]),
      icon: p.str('icon', ''),
      group: p.str('group', ''),
      url: p.str('url', ''),
      category: p.str('category', ''),
      copy: p.str('copy', ''),
    };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.deviceKey],
  async send(c, message, ctx) {
    const path = `${c.path.replace(/\/+$/, '')}/push`.replace(/^(?!\/)/, '/');
    const res = await ctx.http({
      ...jsonRequest('POST', `${c.scheme}://${c.host}${path}`, {
        body: message.body, device_key: c.deviceKey, title: c.title ?? message.title, category: c.category, copy: c.copy,
        sound: c.sound, badge: c.badge, icon: c.icon, group: c.group, url: c.url,
      }),
      dryRunResponse: { code: 200 },
    });
    const code = jsonField(res.body, 'code');
    if (code !== undefined && code !== 200) throw sendError(`bark: server answered code ${String(code)}`, { retryable: false, status: res.status });
  },
};
