// ntfy: ntfy://[user:password@][host[:port]]/topic?title=&priority=&tags=&delay=&actions=&click=&attach=&filename=&email=&icon=
//   &markdown=no&cache=yes&firebase=yes&scheme=https&disabletls=no&disabletlsverification=no&token=
// POST {scheme}://host/topic with the message as the plain body and options as headers (Title, Priority, Tags...);
// auth is Bearer with token=, else basic with the URL's user and password.
import { UrlParts } from '../url-parts.ts';
import { basicAuth } from './common.ts';
import { credentialForms } from '../secrets.ts';
import type { NotifyService } from '../types.ts';

export interface NtfyConfig {
  host: string; topic: string; user: string; password: string; scheme: 'http' | 'https'; title?: string; priority: string;
  tags: string[]; delay: string; actions: string; click: string; attach: string; filename: string; email: string; icon: string;
  cache: boolean; firebase: boolean; markdown: boolean; token: string; insecureSkipVerify: boolean;
}

const PRIORITIES: Record<string, string> = { min: '1', low: '2', default: '3', high: '4', max: '5', urgent: '5', 1: '1', 2: '2', 3: '3', 4: '4', 5: '5' };

export const ntfy: NotifyService<NtfyConfig> = {
  name: 'ntfy',
  schemes: ['ntfy'],
  parse(url) {
    const p: UrlParts = new UrlParts('ntfy', url);
    const topic = p.segments.join('/');
    if (!topic) p.fail('the topic (path)', 'is missing');
    const prio = (p.q('priority') ?? 'default').toLowerCase();
    if (!PRIORITIES[prio]) p.fail('query parameter "priority"', 'must be min, low, default, high, max/urgent or 1-5');
    const c: NtfyConfig = {
      host: p.host || 'ntfy.sh', topic, user: p.user, password: p.password,
      scheme: p.bool('disabletls', false) ? 'http' : p.oneOf('scheme', ['https', 'http'] as const, 'https'),
      title: p.q('title'), priority: PRIORITIES[prio], tags: p.list('tags'), delay: p.str('delay', '', 'at', 'in'),
      actions: p.str('actions', ''), click: p.str('click', ''), attach: p.str('attach', ''), filename: p.str('filename', ''),
      email: p.str('email', ''), icon: p.str('icon', ''), cache: p.bool('cache', true), firebase: p.bool('firebase', true),
      markdown: p.bool('markdown', false), token: p.str('token', ''), insecureSkipVerify: p.bool('disabletlsverification', false),
    };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [...credentialForms(c.user, c.password), c.token],
  async send(c, message, ctx) {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
    const put = (k: string, v: string) => { if (v) headers[k] = v; };
    // Header values must be Latin-1; ntfy decodes RFC 2047 encoded words for the rest.
    const enc = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v).toString('base64')}?=`);
    put('Title', enc(c.title ?? message.title));
    put('Priority', c.priority === '3' ? '' : c.priority);
    put('Tags', c.tags.join(','));
    put('Delay', c.delay);
    put('Actions', c.actions);
    put('Click', c.click);
    put('Attach', c.attach);
    put('X-Icon', c.icon);
    put('Filename', c.filename);
    put('Email', c.email);
    if (!c.cache) headers.Cache = 'no';
    if (!c.firebase) headers.Firebase = 'no';
    if (c.markdown) headers.Markdown = 'yes';
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    else if (c.password) headers.Authorization = basicAuth(c.user, c.password);
    await ctx.http({
      method: 'POST', url: `${c.scheme}://${c.host}/${c.topic.split('/').map(encodeURIComponent).join('/')}`, headers, body: message.body,
      insecureSkipVerify: c.insecureSkipVerify,
    });
  },
};
