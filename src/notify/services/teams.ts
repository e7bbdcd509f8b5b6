// Microsoft Teams, shoutrrr's two forms:
//   teams://GROUP@TENANT/ALTID/GROUPOWNER[/EXTRAID]?host=ORG.webhook.office.com&title=&color=
//   teams+https://ORG.webhook.office.com/webhookb2/GROUP@TENANT/IncomingWebhook/ALTID/GROUPOWNER[/EXTRAID]?title=&color=
//     (the webhook URL as Teams shows it: its host becomes `host`)
// POST https://HOST/webhookb2/GROUP@TENANT/IncomingWebhook/ALTID/GROUPOWNER[/EXTRAID] ("webhook" on the
// legacy outlook.office.com host) with a MessageCard: one section per line.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest } from './common.ts';
import type { NotifyService } from '../types.ts';

export interface TeamsConfig { group: string; tenant: string; altId: string; groupOwner: string; extraId: string; host: string; title?: string; color: string }

const LEGACY_HOST = 'outlook.office.com';

type WebhookIds = Pick<TeamsConfig, 'group' | 'tenant' | 'altId' | 'groupOwner' | 'extraId'>;

/** teams://GROUP@TENANT/ALTID/GROUPOWNER[/EXTRAID] */
function serviceIds(p: UrlParts): WebhookIds {
  if (!p.user) p.fail('the group (user part)', 'is missing');
  if (!p.hostname) p.fail('the tenant (host)', 'is missing');
  const segs = p.segments;
  if (segs.length < 2 || segs.length > 3) p.fail('the path', 'must be /altId/groupOwner[/extraId]');
  return { group: p.user, tenant: p.hostname, altId: segs[0], groupOwner: segs[1], extraId: segs[2] ?? '' };
}

/** teams+https://HOST/webhookb2/GROUP@TENANT/IncomingWebhook/ALTID/GROUPOWNER[/EXTRAID], as Teams gives it. */
function webhookIds(p: UrlParts): WebhookIds {
  if (!p.host) p.fail('the host', 'is missing');
  const segs = p.segments;
  const [group, tenant, ...rest] = (segs[1] ?? '').split('@');
  if (segs.length < 5 || segs.length > 6 || !/^webhook(b2)?$/i.test(segs[0]) || !group || !tenant || rest.length) {
    p.fail('the path', 'must be /webhookb2/group@tenant/IncomingWebhook/altId/groupOwner[/extraId]');
  }
  return { group, tenant, altId: segs[3], groupOwner: segs[4], extraId: segs[5] ?? '' };
}

export const teams: NotifyService<TeamsConfig> = {
  name: 'teams',
  schemes: ['teams', 'teams+https'],
  parse(url, scheme) {
    const p: UrlParts = new UrlParts('teams', url);
    const ids = scheme === 'teams+https' ? webhookIds(p) : serviceIds(p);
    const c: TeamsConfig = {
      ...ids, host: p.str('host', scheme === 'teams+https' ? p.host : LEGACY_HOST), title: p.q('title'), color: p.str('color', ''),
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
