// Microsoft Teams: teams://GROUP@TENANT/ALTID/GROUPOWNER[/EXTRAID]?host=ORG.webhook.office.com&title=&color=
// POST https://HOST/webhookb2/GROUP@TENANT/IncomingWebhook/ALTID/GROUPOWNER[/EXTRAID] ("webhook" on the
// legacy outlook.office.com host) with a MessageCard: one section per line.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface TeamsConfig { group: string; tenant: string; altId: string; groupOwner: string; extraId: string; host: string; title?: string; color: string }

const LEGACY_HOST = 'outlook.office.com';

export const teams: NotifyService<TeamsConfig> = {
  name: 'teams',
  schemes: ['teams'],
  parse(url) {
    const p: UrlParts = new UrlParts('teams', url);
    if (!p.user) p.fail('the group (user part)', 'is missing');
    if (!p.hostname) p.fail('the tenant (host)', 'is missing');
    const segs = p.segments;
    if (segs.length < 2 || segs.length > 3) p.fail('the path', 'must be /altId/groupOwner[/extraId]');
    const c: TeamsConfig = {
      group: p.user, tenant: p.hostname, altId: segs[0], groupOwner: segs[1], extraId: segs[2] ?? '',
      host: p.str('host', LEGACY_HOST), title: p.q('title'), color: p.str('color', ''),
    };
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(c.host)) p.fail('query parameter "host"', 'must be a host name such as example.webhook.office.com');
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.group, c.tenant, c.altId, c.groupOwner, c.extraId],
  async send(c, message, ctx) {
    const sections = message.body.split('\n').map((text) => ({ text }));
    const title = c.title ?? message.title;
    let summary = title;
    if (!summary) summary = sections[0]?.text.slice(0, 21) ?? '';
    const payload: Record<string, unknown> = {
      '@type': 'MessageCard', '@context': 'http://schema.org/extensions', markdown: true,
      title, themeColor: c.color, summary, sections,
    };
    const path = c.host === LEGACY_HOST ? 'webhook' : 'webhookb2';
    const tail = c.extraId ? `/${c.extraId}` : '';
    await ctx.http(jsonRequest('POST', `https://${c.host}/${path}/${c.group}@${c.tenant}/IncomingWebhook/${c.altId}/${c.groupOwner}${tail}`, payload));
  },
};
