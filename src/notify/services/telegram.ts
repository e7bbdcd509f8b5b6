// Telegram: telegram://BOTID:TOKEN@telegram?chats=@channel,12345[:threadId]&preview=yes&notification=yes&parsemode=None&title=
// POST https://api.telegram.org/bot{BOTID:TOKEN}/sendMessage per chat; texts over 4096 characters go as several messages.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, splitText } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface TelegramConfig { token: string; chats: string[]; preview: boolean; notification: boolean; parseMode: string; title?: string }

export const TELEGRAM_MAX = 4096;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * "chat:thread" names a forum topic. As in shoutrrr, the chat id ends at the first colon; a thread
 * that is not a number is dropped, so the message goes to the chat itself.
 */
function splitChat(chat: string): [string, number | undefined] {
  const colon = chat.indexOf(':');
  if (colon < 0) return [chat, undefined];
  const thread = chat.slice(colon + 1);
  return [chat.slice(0, colon), /^[+-]?\d+$/.test(thread) ? Number(thread) : undefined];
}

export const telegram: NotifyService<TelegramConfig> = {
  name: 'telegram',
  schemes: ['telegram'],
  parse(url) {
    const p: UrlParts = new UrlParts('telegram', url);
    const token = `${p.user}:${p.password}`;
    if (!p.user || !p.password) p.fail('the bot token (user:password part)', 'is missing');
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(token)) p.fail('the bot token (user:password part)', 'is malformed');
    const chats = p.list('chats', 'channels');
    if (chats.length === 0) p.fail('query parameter "chats"', 'is missing');
    const c: TelegramConfig = {
      token, chats, preview: p.bool('preview', true), notification: p.bool('notification', true),
      parseMode: p.oneOf('parsemode', ['None', 'Markdown', 'HTML', 'MarkdownV2'] as const, 'None'), title: p.q('title'),
    };
    p.rejectUnknownQuery();
    return c;
  },
  // The API path glues the token to "bot", so that glued form is hidden as one token too.
  secrets: (c) => [`bot${c.token}`, c.token, c.token.split(':')[1]],
  async send(c, message, ctx) {
    // As shoutrrr: a title needs HTML. With parsemode None the body is escaped and sent as HTML;
    // with HTML it is sent as written; the Markdown modes carry no title.
    const title = c.title ?? message.title;
    const html = c.parseMode === 'HTML' || (c.parseMode === 'None' && title !== '');
    const body = c.parseMode === 'None' && html ? escapeHtml(message.body) : message.body;
    const head = html && title ? `<b>${escapeHtml(title)}</b>\n` : '';
    const pieces = splitText(body, TELEGRAM_MAX - [...head].length);
    for (const chat of c.chats) {
      const [chatId, thread] = splitChat(chat);
      for (const [i, piece] of pieces.entries()) {
        const payload: Record<string, unknown> = {
          text: i === 0 ? head + piece : piece, chat_id: chatId, disable_web_page_preview: !c.preview, disable_notification: !c.notification,
        };
        if (html) payload.parse_mode = 'HTML';
        else if (c.parseMode !== 'None') payload.parse_mode = c.parseMode;
        if (thread !== undefined) payload.message_thread_id = thread;
        await ctx.http(jsonRequest('POST', `https://api.telegram.org/bot${c.token}/sendMessage`, payload));
      }
    }
  },
};
