// Discord webhooks: discord://token@webhookid[/raw]?title=&username=&avatar=&color=&colorerror=&splitlines=yes&thread_id=
// POST https://discord.com/api/webhooks/{id}/{token}. Plain messages become embeds (2000 characters
// each, at most 10 and 6000 characters per request, more go in further requests); /raw posts the
// message itself as the JSON payload.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, splitText, truncate } from './common.ts';
import type { NotifyService } from '../types.ts';

export const DISCORD_LIMITS = { chunk: 2000, total: 6000, embeds: 10 };

export interface DiscordConfig {
  webhookId: string; token: string; raw: boolean; title?: string; username: string; avatar: string;
  color: number; colorError: number; splitLines: boolean; threadId: string;
}

function color(p: UrlParts, key: string, dflt: number): number {
  const v = p.q(key);
  if (v === undefined || v === '') return dflt;
  // Shoutrrr reads colours as hexadecimal, with or without 0x.
  const hex = v.replace(/^(0x|#)/i, '');
  const n = /^[0-9a-f]{1,6}$/i.test(hex) ? parseInt(hex, 16) : NaN;
  return Number.isInteger(n) ? n : p.fail(`query parameter "${key}"`, 'must be a hexadecimal colour such as 0x50D9ff');
}

export const discord: NotifyService<DiscordConfig> = {
  name: 'discord',
  schemes: ['discord'],
  parse(url) {
    const p: UrlParts = new UrlParts('discord', url);
    if (!p.user) p.fail('the token (user part)', 'is missing');
    if (!p.hostname) p.fail('the webhook id (host)', 'is missing');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '' && path !== '/raw') p.fail('the path', 'must be empty or /raw');
    const c: DiscordConfig = {
      webhookId: p.hostname,
      token: p.user,
      raw: path === '/raw' || p.bool('json', false),
      title: p.q('title'),
      username: p.str('username', ''),
      avatar: p.str('avatar', '', 'avatarurl'),
      color: color(p, 'color', 0x50d9ff),
      colorError: color(p, 'colorerror', 0xd60510),
      splitLines: p.bool('splitlines', true),
      // shoutrrr trims the thread id, so a pasted "  123 " still names the thread.
      threadId: p.str('thread_id', '').trim(),
    };
    // Shoutrrr also accepts per-level colours; they are read so such URLs stay valid.
    for (const k of ['colorwarn', 'colorinfo', 'colordebug']) color(p, k, 0);
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.token],
  async send(c, message, ctx) {
    const url = `https://discord.com/api/webhooks/${encodeURIComponent(c.webhookId)}/${encodeURIComponent(c.token)}${c.threadId ? `?thread_id=${encodeURIComponent(c.threadId)}` : ''}`;
    if (c.raw) {
      await ctx.http({ method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body: message.body });
      return;
    }
    const pieces = c.splitLines
      ? message.body.split('\n').filter((l) => l.trim() !== '').map((l) => truncate(l, DISCORD_LIMITS.chunk))
      : splitText(message.body, DISCORD_LIMITS.chunk);
    const colour = message.level === 'error' ? c.colorError : c.color;
    const title = truncate(c.title ?? message.title, 256);
    const batches: Array<Array<{ title?: string; description: string; color: number }>> = [];
    let batch: Array<{ title?: string; description: string; color: number }> = [];
    let size = title.length;
    for (const piece of pieces.length ? pieces : ['']) {
      if (batch.length === DISCORD_LIMITS.embeds || size + piece.length > DISCORD_LIMITS.total) {
        batches.push(batch);
        batch = [];
        size = 0;
      }
      batch.push({ description: piece, color: colour });
      size += piece.length;
    }
    batches.push(batch);
    if (title) batches[0][0].title = title;
    for (const embeds of batches) {
      const payload: Record<string, unknown> = { embeds };
      if (c.username) payload.username = c.username;
      if (c.avatar) payload.avatar_url = c.avatar;
      await ctx.http(jsonRequest('POST', url, payload));
    }
  },
};
