// Rocket.Chat: rocketchat://[username@]host[:port]/tokenA/tokenB[/channel or /@user]
// POST https://host/hooks/tokenA/tokenB with {text, username?, channel?}; a bare channel gets '#'.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, titled } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface RocketchatConfig { host: string; tokenA: string; tokenB: string; channel: string; username: string; title?: string; disableTls: boolean }

export const rocketchat: NotifyService<RocketchatConfig> = {
  name: 'rocketchat',
  schemes: ['rocketchat'],
  parse(url) {
    const p: UrlParts = new UrlParts('rocketchat', url);
    if (!p.host) p.fail('the host', 'is missing');
    const segs = p.segments;
    if (segs.length < 2) p.fail('the token (path /tokenA/tokenB)', 'is missing');
    if (segs.length > 3) p.fail('the path', 'must be /tokenA/tokenB[/channel]');
    let channel = segs[2] ?? '';
    if (url.hash.length > 1) channel = `#${decodeURIComponent(url.hash.slice(1))}`;
    if (channel && !channel.startsWith('#') && !channel.startsWith('@')) channel = `#${channel}`;
    const c: RocketchatConfig = { host: p.host, tokenA: segs[0], tokenB: segs[1], channel, username: p.user, title: p.q('title'), disableTls: p.bool('disabletls', false) };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.tokenA, c.tokenB],
  async send(c, message, ctx) {
    const payload: Record<string, string> = { text: titled(message, c.title ?? message.title) };
    if (c.username) payload.username = c.username;
    if (c.channel) payload.channel = c.channel;
    await ctx.http(jsonRequest('POST', `${c.disableTls ? 'http' : 'https'}://${c.host}/hooks/${c.tokenA}/${c.tokenB}`, payload));
  },
};
