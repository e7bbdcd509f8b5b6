// IFTTT webhooks: ifttt://KEY/?events=e1,e2&value1=&value2=&value3=&messagevalue=2&titlevalue=0
// One POST https://maker.ifttt.com/trigger/{event}/with/key/{KEY} per event, body {value1, value2, value3};
// the message goes into value{messagevalue}, the title into value{titlevalue}; 0 puts it nowhere, as
// shoutrrr's sender does (its serializer writes messagevalue=0 for such a config).
import { UrlParts } from '../url-parts.ts';
import { jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface IftttConfig { key: string; events: string[]; values: [string, string, string]; messageValue: number; titleValue: number; title?: string }

export const ifttt: NotifyService<IftttConfig> = {
  name: 'ifttt',
  schemes: ['ifttt'],
  parse(url) {
    const p: UrlParts = new UrlParts('ifttt', url);
    const key = p.hostname || p.user;
    if (!key) p.fail('the webhook key (host)', 'is missing');
    const events = p.list('events');
    if (events.length === 0) p.fail('query parameter "events"', 'is missing');
    const c: IftttConfig = {
      key,
      events,
      values: [p.str('value1', ''), p.str('value2', ''), p.str('value3', '')],
      messageValue: p.int('messagevalue', 2, [0, 3]),
      titleValue: p.int('titlevalue', 0, [0, 3]),
      title: p.q('title'),
    };
    if (c.titleValue !== 0 && c.messageValue === c.titleValue) p.fail('query parameters "messagevalue" and "titlevalue"', 'must differ');
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.key],
  async send(c, message, ctx) {
    const values = [...c.values];
    if (c.messageValue > 0) values[c.messageValue - 1] = message.body;
    if (c.titleValue > 0) values[c.titleValue - 1] = c.title ?? message.title;
    for (const event of c.events) {
      await ctx.http(jsonRequest('POST', `https://maker.ifttt.com/trigger/${encodeURIComponent(event)}/with/key/${c.key}`,
        { value1: values[0], value2: values[1], value3: values[2] }));
    }
  },
};
