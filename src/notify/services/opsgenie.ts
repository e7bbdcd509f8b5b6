// Opsgenie: opsgenie://[host[:port]]/APIKEY?alias=&description=&responders=team:ops,user:a@b&visibleto=&actions=&tags=&details=k:v&entity=&source=&priority=P3&user=&note=&title=
// POST https://host:port/v2/alerts with "Authorization: GenieKey APIKEY"; the alert message is at most 130 characters.
import { UrlParts } from '../url-parts.ts';
import { jsonRequest, truncate } from './common.ts';
import type { NotifyService } from '../types.ts';

type Entity = { type: string; id?: string; name?: string; username?: string };

export interface OpsgenieConfig {
  host: string; port: number; apiKey: string; title?: string; fields: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function entities(p: UrlParts, key: string): Entity[] | undefined {
  const list = p.list(key);
  if (list.length === 0) return undefined;
  return list.map((item) => {
    const [type, value] = item.split(':', 2);
    if (!value || !['team', 'user', 'escalation', 'schedule'].includes(type)) p.fail(`query parameter "${key}"`, 'entries must be team:NAME, user:NAME, escalation:NAME or schedule:NAME');
    if (UUID.test(value)) return { type, id: value };
    return type === 'user' ? { type, username: value } : { type, name: value };
  });
}

export const opsgenie: NotifyService<OpsgenieConfig> = {
  name: 'opsgenie',
  schemes: ['opsgenie'],
  parse(url) {
    const p: UrlParts = new UrlParts('opsgenie', url);
    const segs = p.segments;
    if (segs.length !== 1) p.fail('the API key (path)', segs.length ? 'must be a single path segment' : 'is missing');
    const fields: Record<string, unknown> = {};
    for (const k of ['alias', 'description', 'entity', 'source', 'user', 'note']) {
      const v = p.q(k);
      if (v) fields[k] = v;
    }
    const responders = entities(p, 'responders');
    if (responders) fields.responders = responders;
    const visibleTo = entities(p, 'visibleto');
    if (visibleTo) fields.visibleTo = visibleTo;
    const actions = p.list('actions');
    if (actions.length) fields.actions = actions;
    const tags = p.list('tags');
    if (tags.length) fields.tags = tags;
    const details = p.list('details');
    if (details.length) {
      fields.details = Object.fromEntries(details.map((d) => {
        const i = d.indexOf(':');
        return i > 0 ? [d.slice(0, i), d.slice(i + 1)] : p.fail('query parameter "details"', 'entries must be key:value');
      }));
    }
    const prio = p.q('priority');
    if (prio) {
      if (!/^P[1-5]$/.test(prio)) p.fail('query parameter "priority"', 'must be P1 to P5');
      fields.priority = prio;
    }
    const c: OpsgenieConfig = { host: p.hostname || 'api.opsgenie.com', port: p.port ?? 443, apiKey: segs[0], title: p.q('title'), fields };
    p.rejectUnknownQuery();
    return c;
  },
  secrets: (c) => [c.apiKey],
  async send(c, message, ctx) {
    const title = c.title ?? message.title;
    const payload: Record<string, unknown> = { ...c.fields };
    if (title) {
      payload.message = truncate(title, 130);
      payload.description ??= message.body;
    } else {
      payload.message = truncate(message.body, 130);
      if ([...message.body].length > 130) payload.description ??= message.body;
    }
    await ctx.http(jsonRequest('POST', `https://${c.host}:${c.port}/v2/alerts`, payload, { Authorization: `GenieKey ${c.apiKey}` }));
  },
};
