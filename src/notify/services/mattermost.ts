// Mattermost: mattermost://[username@]host[:port]/token[/channel]?icon=&title=&disabletls=no
// POST https://host/hooks/{token} with {text, username?, channel?, icon_url? or icon_emoji?}: as in
// shoutrrr, an icon starting with http:// or https:// is a picture's URL, anything else an emoji name.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, titled } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface MattermostConfig { host: string; token: string; channel: string; username: string; icon: string; title?: string; disableTls: boolean }

export const mattermost: NotifyService<MattermostConfig> = {
  name: 'mattermost',
  schemes: ['mattermost'],
  parse(url) {
    const p: UrlParts = new UrlParts('mattermost', url);
    if (!p.host) p.fail('the host', 'is missing');
    const segs = p.segments;
    if (segs.length === 0) p.fail('the token (first path segment)', 'is missing');
    if (segs.length > 2) p.fail('the path', 'must be /token or /token/channel');
    const c: MattermostConfig = {
      host: p.host, token: segs[0], channel: segs[1] ?? p.str('channel', ''), username: p.user || p.str('username', ''),
      icon: p.str('icon', '', 'icon_emoji', 'icon_url'), title: p.q('title'), disableTls: p.bool('disabletls', false),
    };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.token],
  async send(c, message, ctx) {
    const payload: Record<string, string> = { text: titled(message, c.title ?? message.title) };
    if (c.username) payload.username = c.username;
    if (c.channel) payload.channel = c.channel;
    if (/^https?:\/\//i.test(c.icon)) payload.icon_url = c.icon;
    else if (c.icon) payload.icon_emoji = c.icon;
    await ctx.http(jsonRequest('POST', `${c.disableTls ? 'http' : 'https'}://${c.host}/hooks/${c.token}`, payload));
  },
};
