// Pushbullet: pushbullet://TOKEN[/device][/%23channel][/email%40example.com]?title=
// One POST https://api.pushbullet.com/v2/pushes per target ("Access-Token" header), body
// {type: "note", title, body, device_iden | channel_tag | email}; no target pushes to every device.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface PushbulletConfig { token: string; targets: string[]; title?: string }

export const pushbullet: NotifyService<PushbulletConfig> = {
  name: 'pushbullet',
  schemes: ['pushbullet'],
  parse(url) {
    const p: UrlParts = new UrlParts('pushbullet', url);
    const token = p.hostname;
    if (!token) p.fail('the access token (host)', 'is missing');
    if (token.length !== 34) p.fail('the access token (host)', 'must be 34 characters long');
    const targets = p.segments;
    // An unescaped '#channel' arrives as the fragment.
    if (url.hash.length > 1) targets.push(`#${decodeURIComponent(url.hash.slice(1))}`);
    const c: PushbulletConfig = { token, targets, title: p.q('title') };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.token],
  async send(c, message, ctx) {
    const base = { type: 'note', title: c.title ?? message.title, body: message.body };
    const targets: Array<Record<string, string>> = c.targets.length === 0 ? [{}] : c.targets.map((t) =>
      (t.startsWith('#') ? { channel_tag: t.slice(1) } : t.includes('@') ? { email: t } : { device_iden: t }) as Record<string, string>);
    for (const target of targets) {
      await ctx.http(jsonRequest('POST', 'https://api.pushbullet.com/v2/pushes', { ...base, ...target }, { 'Access-Token': c.token }));
    }
  },
};
