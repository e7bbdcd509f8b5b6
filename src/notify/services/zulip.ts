// Zulip: zulip://BOT-MAIL:BOT-KEY@host[:port]/?stream=NAME&topic=NAME
// POST https://host/api/v1/messages (form, basic auth) with type=stream, to, topic, content.
// Zulip limits topics to 60 characters and content to 10000 bytes; longer content goes as several messages.
import { UrlParts } from '../url-parts.ts';
import { basicAuth, formRequest, splitText, truncate, utf8Bytes } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface ZulipConfig { host: string; botMail: string; botKey: string; stream: string; topic?: string; disableTls: boolean }

export const ZULIP_LIMITS = { topic: 60, contentBytes: 10_000 };

export const zulip: NotifyService<ZulipConfig> = {
  name: 'zulip',
  schemes: ['zulip'],
  parse(url) {
    const p: UrlParts = new UrlParts('zulip', url);
    if (!p.user) p.fail('the bot e-mail (user part)', 'is missing');
    if (!p.password) p.fail('the bot key (password part)', 'is missing');
    if (!p.host) p.fail('the host', 'is missing');
    const stream = p.q('stream');
    if (!stream) p.fail('query parameter "stream"', 'is missing');
    const c: ZulipConfig = { host: p.host, botMail: p.user, botKey: p.password, stream, topic: p.q('topic', 'title'), disableTls: p.bool('disabletls', false) };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.botKey],
  async send(c, message, ctx) {
    const topic = truncate(c.topic ?? (message.title || 'hostagent'), ZULIP_LIMITS.topic);
    for (const content of splitText(message.body, ZULIP_LIMITS.contentBytes, utf8Bytes)) {
      await ctx.http(formRequest(`${c.disableTls ? 'http' : 'https'}://${c.host}/api/v1/messages`,
        { type: 'stream', to: c.stream, topic, content }, { Authorization: basicAuth(c.botMail, c.botKey) }));
    }
  },
};
