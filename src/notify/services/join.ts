// Join: join://shoutrrr:APIKEY@join/?devices=d1,d2&icon=&title=
// POST https://joinjoaomgcd.appspot.com/_ah/api/messaging/v1/sendPush?deviceIds=&apikey=&text=&title=&icon= (empty body).
import { UrlParts } from '../url-parts.ts';
import type { NotifyService } from '../types.ts';

export interface JoinConfig { apiKey: string; devices: string[]; icon: string; title?: string }

export const join: NotifyService<JoinConfig> = {
  name: 'join',
  schemes: ['join'],
  parse(url) {
    const p: UrlParts = new UrlParts('join', url);
    if (!p.password) p.fail('the API key (password part)', 'is missing');
    const devices = p.list('devices');
    if (devices.length === 0) p.fail('query parameter "devices"', 'is missing');
    const c: JoinConfig = { apiKey: p.password, devices, icon: p.str('icon', ''), title: p.q('title') };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.apiKey],
  async send(c, message, ctx) {
    const q = new URLSearchParams({ deviceIds: c.devices.join(','), apikey: c.apiKey, text: message.body });
    const title = c.title ?? message.title;
    if (title) q.set('title', title);
    if (c.icon) q.set('icon', c.icon);
    await ctx.http({
      method: 'POST',
      url: `https://joinjoaomgcd.appspot.com/_ah/api/messaging/v1/sendPush?${q}`,
      headers: { 'Content-Type': 'text/plain' },
      okStatus: (s) => s === 200,
    });
  },
};
