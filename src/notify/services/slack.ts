// Slack, three URL forms:
//   slack://hook:AAAA-BBBB-CCCC@webhook?...        incoming webhook (hooks.slack.com/services/AAAA/BBBB/CCCC)
//   slack://xoxb:BOTTOKEN@CHANNEL?...              bot token, POST https://slack.com/api/chat.postMessage
//   slack://[botname@]AAAA/BBBB/CCCC               legacy webhook form
// Query: botname, color, title, channel, icon (emoji or URL), thread_ts. The title is the text and
// each line of the message one attachment (at most 100), as shoutrrr does.
import { UrlParts } from '../url-parts.ts';
import { sendError } from '../retry.ts';
import { jsonField, jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface SlackConfig {
  kind: 'webhook' | 'bot'; token: string; channel: string; botName: string; color: string; title?: string; icon: string; threadTs: string;
}

// Slack's token shape as shoutrrr checks it: type, then three parts joined by one separator.
const TOKEN = /^(?:(xox[a-z]|hook):)?([A-Z0-9]{9,})([-/,])([A-Z0-9]{9,})([-/,])([A-Za-z0-9]{24,})$/;
// Slack accepts at most 100 attachments; further lines join the last one.
const MAX_ATTACHMENTS = 100;

export const slack: NotifyService<SlackConfig> = {
  name: 'slack',
  schemes: ['slack'],
  parse(url) {
    const p: UrlParts = new UrlParts('slack', url);
    const prefix = p.user.toLowerCase();
    let raw: string;
    let channel = '';
    let botName = p.str('botname', '', 'username');
    if (p.hasPassword) {
      // hook:TOKEN@webhook or xoxb:TOKEN@CHANNEL
      if (prefix !== 'hook' && !/^xox[a-z]$/.test(prefix)) p.fail('the token type (user part)', 'must be "hook" or an API token type such as "xoxb"');
      raw = `${prefix}:${p.password}`;
      if (p.hostname && p.hostname !== 'webhook') channel = p.hostname;
    } else {
      // Legacy form: [botname@]AAAA/BBBB/CCCC
      raw = [p.hostname, ...p.segments].join('/');
      if (p.user) botName ||= p.user;
    }
    const m = TOKEN.exec(raw);
    if (!m) p.fail('the token', 'is malformed (expected three parts such as T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX)');
    if (m[3] !== m[5]) p.fail('the token', 'mixes separators');
    const type = m[1] ?? 'hook';
    const kind: SlackConfig['kind'] = type === 'hook' ? 'webhook' : 'bot';
    const token = kind === 'webhook' ? `${m[2]}/${m[4]}/${m[6]}` : `${type}-${m[2]}-${m[4]}-${m[6]}`;
    channel = p.str('channel', channel);
    if (kind === 'bot' && !channel) p.fail('the channel (host)', 'is missing');
    const c: SlackConfig = {
      kind, token, channel, botName, color: p.str('color', ''), title: p.q('title'),
      icon: p.str('icon', ''), threadTs: p.str('thread_ts', ''),
    };
    p.rejectUnknownQuery();
    return c;
  },
  // Every part on its own, so no spelling (-, / or , separated) can slip through.
  secrets: (c) => [c.token, ...c.token.replace(/^xox[a-z]-/, '').split(/[-/]/)],
  async send(c, message, ctx) {
    const lines = message.body.split('\n');
    const texts = lines.slice(0, MAX_ATTACHMENTS);
    if (lines.length > MAX_ATTACHMENTS) texts[MAX_ATTACHMENTS - 1] += `\n${lines.slice(MAX_ATTACHMENTS).join('\n')}`;
    if (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
    const payload: Record<string, unknown> = {
      text: c.title ?? message.title,
      attachments: texts.map((text) => (c.color ? { text, color: c.color } : { text })),
    };
    if (c.botName) payload.username = c.botName;
    if (c.icon) payload[/^https?:\/\//.test(c.icon) ? 'icon_url' : 'icon_emoji'] = c.icon;
    if (c.channel) payload.channel = c.channel;
    if (c.threadTs) payload.thread_ts = c.threadTs;
    if (c.kind === 'webhook') {
      await ctx.http(jsonRequest('POST', `https://hooks.slack.com/services/${c.token}`, payload));
      return;
    }
    const res = await ctx.http({
      ...jsonRequest('POST', 'https://slack.com/api/chat.postMessage', payload, { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json; charset=utf-8' }),
      dryRunResponse: { ok: true },
    });
    if (jsonField(res.body, 'ok') !== true) {
      const reason = jsonField(res.body, 'error');
      throw sendError(`slack: chat.postMessage failed: ${typeof reason === 'string' ? reason : 'unknown error'}`, { retryable: reason === 'ratelimited', status: res.status });
    }
  },
};
