// Generic webhook, shoutrrr's two forms:
//   generic://host[:port]/path?template=json&method=POST&contenttype=...&disabletls=no&title=&titlekey=title&messagekey=message&@Header=v&$field=v&other=forwarded
//   generic+https://host/path?q=forwarded   (the target URL as is; every query parameter is forwarded)
// Without a template the body is the message as text/plain (the title is not sent, as in shoutrrr);
// template=json sends {titlekey: title, messagekey: message, ...$fields} as contenttype. Status >= 400 fails.
// `@name=value` adds a header (camelCase becomes Dash-Case), `__key=value` forwards a reserved key as
// `key=value` (shoutrrr's escape); any other key, `_x` and `__x` included, is forwarded as written.
import { isSecretKey } from '../../core/redact.ts';
import { UrlParts } from '../url-parts.ts';
import { basicAuth } from './common.ts';
import { credentialForms } from '../secrets.ts';
import type { NotifyService } from '../types.ts';

export interface GenericConfig {
  target: string; user: string; password: string; method: string; contentType: string; template: '' | 'json';
  title?: string; titleKey: string; messageKey: string; headers: Record<string, string>; extras: Record<string, string>;
  secretValues: string[];
}

const RESERVED = ['contenttype', 'disabletls', 'template', 'title', 'titlekey', 'messagekey', 'method'];
const ESCAPE = '__';

/** `__template` -> `template`: the escape only applies to reserved keys, as in shoutrrr. */
function unescapeReserved(key: string): string {
  const bare = key.slice(ESCAPE.length);
  return key.startsWith(ESCAPE) && RESERVED.includes(bare.toLowerCase()) ? bare : key;
}

const SECRET_PARAM = /^(key|apikey|code|sig|signature|hash)$/i;

function headerName(raw: string): string {
  return raw.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').split('-').map((w) => (w ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w)).join('-');
}

export const generic: NotifyService<GenericConfig> = {
  name: 'generic',
  schemes: ['generic', 'generic+http', 'generic+https'],
  parse(url, scheme) {
    const p: UrlParts = new UrlParts('generic', url, { keepQueryCase: true });
    if (!p.host) p.fail('the host', 'is missing');
    const secretValues: string[] = [];
    const forwarded = new URLSearchParams();
    const headers: Record<string, string> = {};
    const extras: Record<string, string> = {};
    const props = new Map<string, string>();
    const shortcut = scheme !== 'generic';
    for (const [k, v] of url.searchParams) {
      if (shortcut) {
        forwarded.append(k, v);
      } else if (k.startsWith('@') && k.length > 1) {
        headers[headerName(k.slice(1))] = v;
        if (isSecretKey(k.slice(1))) secretValues.push(v);
        continue;
      } else if (k.startsWith('$') && k.length > 1) {
        extras[k.slice(1)] = v;
        if (isSecretKey(k.slice(1))) secretValues.push(v);
        continue;
      } else if (RESERVED.includes(k.toLowerCase())) {
        props.set(k.toLowerCase(), v);
        continue;
      } else {
        forwarded.append(unescapeReserved(k), v);
      }
      if (isSecretKey(k) || SECRET_PARAM.test(k)) secretValues.push(v);
    }
    const template = (props.get('template') ?? '').toLowerCase();
    if (template !== '' && template !== 'json') p.fail('query parameter "template"', 'must be json or absent');
    const method = (props.get('method') ?? 'POST').toUpperCase();
    if (!/^(GET|POST|PUT|PATCH|DELETE)$/.test(method)) p.fail('query parameter "method"', 'must be GET, POST, PUT, PATCH or DELETE');
    const disableTls = shortcut ? scheme === 'generic+http' : ['yes', 'true', '1'].includes((props.get('disabletls') ?? 'no').toLowerCase());
    const query = forwarded.toString();
    const c: GenericConfig = {
      target: `${disableTls ? 'http' : 'https'}://${p.host}${url.pathname || '/'}${query ? `?${query}` : ''}`,
      user: p.user, password: p.password, method, contentType: props.get('contenttype') ?? 'application/json',
      template: template as GenericConfig['template'], title: props.get('title'),
      titleKey: props.get('titlekey') ?? 'title', messageKey: props.get('messagekey') ?? 'message',
      headers, extras, secretValues,
    };
    return c;
  },
  secrets: (c) => [...credentialForms(c.user, c.password), ...c.secretValues],
  async send(c, message, ctx) {
    const title = c.title ?? message.title;
    let body: string;
    if (c.template === 'json') {
      const payload: Record<string, string> = {};
      if (title) payload[c.titleKey] = title;
      payload[c.messageKey] = message.body;
      Object.assign(payload, c.extras);
      body = JSON.stringify(payload);
    } else {
      body = message.body;
    }
    const contentType = c.template === '' ? 'text/plain' : c.contentType;
    const headers: Record<string, string> = { 'Content-Type': contentType, Accept: contentType, ...c.headers };
    // Credentials in the URL only apply when no @Authorization header was given, as with Go's client.
    const hasAuthHeader = Object.keys(c.headers).some((k) => k.toLowerCase() === 'authorization');
    if ((c.user || c.password) && !hasAuthHeader) headers.Authorization = basicAuth(c.user, c.password);
    await ctx.http({ method: c.method, url: c.target, headers, body: c.method === 'GET' ? undefined : body, okStatus: (s) => s < 400 });
  },
};
