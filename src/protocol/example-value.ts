// A minimal valid value for a JSON Schema: the example docs/api.md shows for a method that
// declares none. Only required properties are filled. Strings and numbers come from a table of
// realistic values by key, kept only when they satisfy the schema (pattern, length, range,
// format); a string no candidate satisfies is an error naming its path, fixed by giving that
// schema `examples`. A test validates every generated example against its schema.
import { isObject, mergedObject, type SchemaNode } from '../core/schema-markdown.ts';

const STRING_BY_KEY: Readonly<Record<string, string>> = {
  account: 'shop',
  session: 'panel-session-7f3a9c',
  package: 'basic',
  destination: 'offsite',
  destinations: 'offsite',
  snapshotId: '7c1e9a52d04b4f3e8a61',
  jobId: 'b1f0c2d4e6a84d2e9c3f',
  subscriptionId: 'sub-3',
  id: 'nightly',
  cron: '0 3 * * *',
  timezone: 'UTC',
  home: '/home/shop',
  maildir: '/home/shop/Maildir',
  file: '/var/named/shop.example.db',
  address: 'info@shop.example',
  note: 'before the theme update',
  sha256: 'a3f1c9e27b4d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071',
  url: 'discord://token@webhookid',
  version: '0.1.0',
  kind: 'backup',
  trigger: 'tenant',
  status: 'complete',
  scope: 'full',
  compression: 'gzip',
  type: 'local',
  path: '/root/shop_account_full_20261122T100000Z_7c1e9a52d04b4f3e8a61.tar.gz',
  object: 'shop/shop_account_full_20261122T100000Z_7c1e9a52d04b4f3e8a61.tar.gz',
  service: 'discord',
  message: 'a sentence saying what happened',
  reason: 'the snapshot predates the incident',
  code: 'AGENT_E_DEST_AUTH',
  openrpc: '1.3.2',
  usedBy: 'nightly',
  skipped: 'blog',
  parts: 'shop_account_full_20261122T100000Z_7c1e9a52d04b4f3e8a61.tar.gz',
  // Timestamps some results declare as plain strings.
  at: '2026-11-22T10:00:00.000Z',
  createdAt: '2026-11-22T10:00:00.000Z',
  startedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:00:00.000Z',
  storedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-23T10:00:00.000Z',
};

const NUMBER_BY_KEY: Readonly<Record<string, number>> = {
  uid: 1001,
  gid: 1001,
  pid: 4242,
  perDay: 1,
  maxBytes: 107374182400,
  downloadTtlSeconds: 900,
  bytes: 52428800,
  inputBytes: 131072000,
  files: 1832,
  seconds: 12.5,
  uptimeSeconds: 3600,
  latencyMs: 42,
  ms: 14,
  attempt: 1,
  cleared: 1,
  accounts: 1,
  concurrency: 2,
  status: 200,
  parts: 1,
};

const DATE_TIME = '2026-11-22T10:00:00.000Z';
const FORMAT_EXAMPLES: Readonly<Record<string, string>> = { 'date-time': DATE_TIME, uri: 'https://example.com/' };

/** Values for keys whose meaning depends on the method: `name` is an account in account.*, a package in package.*. */
export type ExampleHints = Readonly<Record<string, string | number>>;

export function exampleValue(schema: SchemaNode, path = '', hints: ExampleHints = {}): unknown {
  const s = mergedObject(schema);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  // An object's default ({} say) may rely on filling in its keys' defaults; its keys are spelled out instead.
  if (s.default !== undefined && !isObject(s)) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  const branches = (s.anyOf ?? s.oneOf) as SchemaNode[] | undefined;
  if (branches) {
    // null is a valid branch but a poor example.
    const branch = branches.find((b) => b.type !== 'null') ?? branches[0]!;
    return exampleValue(branch, path, hints);
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  const key = lastKey(path);
  switch (type) {
    case 'object': return objectExample(s, path, hints);
    case 'array': return Array.from({ length: Math.max(1, Number(s.minItems ?? 1)) }, () => exampleValue(s.items as SchemaNode, `${path}[]`, hints));
    case 'string': return stringExample(s, path, key, hints);
    case 'integer':
    case 'number': return numberExample(s, type, key, hints);
    case 'boolean': return true;
    case 'null': return null;
    default: return {};
  }
}

function lastKey(path: string): string {
  return path.replace(/\[\]$/g, '').split('.').pop() ?? '';
}

function objectExample(s: SchemaNode, path: string, hints: ExampleHints): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = (s.properties ?? {}) as Record<string, SchemaNode>;
  for (const name of (s.required as string[] | undefined) ?? []) {
    if (props[name]) out[name] = exampleValue(props[name], path ? `${path}.${name}` : name, hints);
  }
  return out;
}

function stringExample(s: SchemaNode, path: string, key: string, hints: ExampleHints): string {
  const format = typeof s.format === 'string' ? FORMAT_EXAMPLES[s.format] : undefined;
  const candidates = [hints[path], hints[key], format, STRING_BY_KEY[key], 'example', 'ex', '/example'];
  const fit = candidates.find((c): c is string => typeof c === 'string' && fitsString(s, c));
  if (fit === undefined) throw new Error(`no example fits the string schema at ${path || '(root)'}; give it \`examples\``);
  return fit;
}

function fitsString(s: SchemaNode, value: string): boolean {
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) return false;
  if (typeof s.minLength === 'number' && value.length < s.minLength) return false;
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) return false;
  if (s.format !== undefined && FORMAT_EXAMPLES[s.format as string] === undefined) return false;
  return s.format === undefined || value === FORMAT_EXAMPLES[s.format as string];
}

function numberExample(s: SchemaNode, type: 'integer' | 'number', key: string, hints: ExampleHints): number {
  const min = typeof s.minimum === 'number' ? s.minimum : -Infinity;
  const max = typeof s.maximum === 'number' ? s.maximum : Infinity;
  const candidates = [hints[key], NUMBER_BY_KEY[key]].filter((c): c is number => typeof c === 'number');
  const fit = candidates.find((c) => c >= min && c <= max && (type === 'number' || Number.isInteger(c)));
  return fit ?? (Number.isFinite(min) ? min : 0);
}
