// Pushover: pushover://shoutrrr:APITOKEN@USERKEY/?devices=d1,d2&priority=0&title=
// POST https://api.pushover.net/1/messages.json (form) per device, or once without devices.
// Pushover caps the message at 1024 and the title at 250 characters.
import { UrlParts } from '../url-parts.ts';
import { formRequest, truncate } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface PushoverConfig { token: string; user: string; devices: string[]; priority?: number; title?: string }

export const pushover: NotifyService<PushoverConfig> = {
  name: 'pushover',
  schemes: ['pushover'],
  parse(url) {
    const p: UrlParts = new UrlParts('pushover', url);
    if (!p.password) p.fail('the API token (password part)', 'is missing');
    if (!p.hostname) p.fail('the user key (host)', 'is missing');
    const prio = p.q('priority');
    const c: PushoverConfig = {
      token: p.password, user: p.hostname, devices: p.list('devices'), title: p.q('title'),
      priority: prio === undefined || prio === '' ? undefined : p.int('priority', 0, [-2, 2]),
    };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.token, c.user],
  async send(c, message, ctx) {
    const title = c.title ?? message.title;
    for (const device of c.devices.length ? c.devices : [undefined]) {
      await ctx.http(formRequest('https://api.pushover.net/1/messages.json', {
        token: c.token, user: c.user, message: truncate(message.body, 1024), title: title ? truncate(title, 250) : undefined,
        priority: c.priority === undefined ? undefined : String(c.priority), device,
      }));
    }
  },
};
