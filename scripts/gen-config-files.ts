// Writes the configuration files shipped with the package, all derived from src/config:
//   etc/hostagent/agent.schema.json   the JSON Schema of /etc/hostagent/agent.json
//   etc/hostagent/agent.json          the documented default: every key with its default value
//   docs/configuration.md             the reference table (JSON has no comments)
// test/config/shipped-files.test.ts fails when the committed files differ from what this
// produces. Run after changing a config section:  node scripts/gen-config-files.ts
//
// The schema is walked generically, so new sections need no change here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, parseConfig } from '../src/config/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SCHEMA_FILE = 'etc/hostagent/agent.schema.json';
export const DEFAULTS_FILE = 'etc/hostagent/agent.json';
export const DOCS_FILE = 'docs/configuration.md';

/** Where agent.json points editors for completion; the package installs the schema beside it. */
const SCHEMA_REF = './agent.schema.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaNode = Record<string, unknown>;

/**
 * A plain JSON copy with object keys sorted, except the members of `properties`, whose order is
 * the order sections and keys were declared in (the order a reader expects).
 */
function canonical(value: unknown, keepOrder = false): Json {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value === null || typeof value !== 'object') return value as Json;
  const keys = Object.keys(value); // symbol keys (TypeBox's Kind) are dropped here
  if (!keepOrder) keys.sort();
  const out: { [key: string]: Json } = {};
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = canonical(v, k === 'properties' && !keepOrder);
  }
  return out;
}

export function renderSchema(): string {
  const schema = canonical({ $schema: 'http://json-schema.org/draft-07/schema#', ...configSchema });
  return JSON.stringify(schema, null, 2) + '\n';
}

export function renderDefaults(): string {
  return JSON.stringify({ $schema: SCHEMA_REF, ...parseConfig({}, 'defaults') }, null, 2) + '\n';
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

function typeOf(s: SchemaNode): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.anyOf ?? s.oneOf)) return ((s.anyOf ?? s.oneOf) as SchemaNode[]).map(typeOf).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? ['any'] : [s.type];
  return types.map((t) => (t === 'array' && s.items ? `array of ${typeOf(s.items as SchemaNode)}` : String(t))).join(' | ');
}

/** Limits worth telling a reader, in words. */
function constraints(s: SchemaNode): string[] {
  const out: string[] = [];
  if (s.minimum !== undefined && s.maximum !== undefined) out.push(`${String(s.minimum)} to ${String(s.maximum)}`);
  else if (s.minimum !== undefined) out.push(`at least ${String(s.minimum)}`);
  else if (s.maximum !== undefined) out.push(`at most ${String(s.maximum)}`);
  if (s.minLength !== undefined && s.minLength !== 1) out.push(`at least ${String(s.minLength)} characters`);
  if (s.maxLength !== undefined) out.push(`at most ${String(s.maxLength)} characters`);
  if (s.pattern !== undefined) out.push(`matches ${code(String(s.pattern))}`);
  if (s.format !== undefined) out.push(`format ${String(s.format)}`);
  if (s.minItems !== undefined) out.push(`at least ${String(s.minItems)} items`);
  if (s.maxItems !== undefined) out.push(`at most ${String(s.maxItems)} items`);
  return out;
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** GitHub tables end a cell at any `|`, even inside a code span, unless it is escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function isObject(s: SchemaNode): boolean {
  return s.type === 'object' && typeof s.properties === 'object' && s.properties !== null;
}

/** One row per leaf key path; objects with properties are walked, not listed. */
function rows(schema: SchemaNode, prefix: string, required: Set<string>, out: Row[]): Row[] {
  for (const [name, child] of Object.entries(schema.properties as Record<string, SchemaNode>)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (isObject(child)) {
      rows(child, key, new Set((child.required as string[] | undefined) ?? []), out);
      continue;
    }
    const itemObject = child.type === 'array' && child.items && isObject(child.items as SchemaNode);
    const notes = [...constraints(child)];
    if (required.has(name) && child.default === undefined) notes.unshift('required');
    const description = [child.description, notes.length ? `(${notes.join('; ')})` : ''].filter(Boolean).join(' ');
    out.push({
      key: code(key),
      type: itemObject ? 'array of objects' : typeOf(child),
      default: child.default === undefined ? '' : code(JSON.stringify(child.default)),
      description: String(description),
    });
    if (itemObject) {
      const items = child.items as SchemaNode;
      rows(items, `${key}[]`, new Set((items.required as string[] | undefined) ?? []), out);
    }
  }
  return out;
}

function table(list: Row[]): string {
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const r of list) lines.push(`| ${[r.key, r.type, r.default, r.description].map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function renderDocs(): string {
  const schema = canonical(configSchema) as unknown as SchemaNode;
  const props = schema.properties as Record<string, SchemaNode>;
  const parts = [
    '# Configuration reference',
    '',
    '<!-- Generated by `node scripts/gen-config-files.ts` from src/config/schema.ts; do not edit by hand. -->',
    '',
    '`hostagentd` reads `/etc/hostagent/agent.json` (or `--config FILE`; `hostagentd --dev DIR` uses `DIR/agent.json`).',
    `The file is validated against [\`${SCHEMA_FILE}\`](../${SCHEMA_FILE}); an unknown key, a wrong type or a bad value`,
    'stops the daemon with one line naming the key path and the reason (exit code 78), and a bad file sent with',
    'SIGHUP is refused while the old configuration stays in force. Every key is optional: a missing key takes the',
    `default below, and [\`${DEFAULTS_FILE}\`](../${DEFAULTS_FILE}) spells every default out. Keys marked`,
    '(secret) are never logged or returned over RPC.',
    '',
  ];
  const topLevel = Object.entries(props).filter(([, s]) => !isObject(s));
  if (topLevel.length) {
    const top = { ...schema, properties: Object.fromEntries(topLevel) };
    parts.push('## Top level', '', table(rows(top, '', new Set(), [])), '');
  }
  for (const [name, section] of Object.entries(props)) {
    if (!isObject(section)) continue;
    parts.push(`## ${name}`, '');
    if (section.description) parts.push(String(section.description), '');
    parts.push(table(rows(section, name, new Set((section.required as string[] | undefined) ?? []), [])), '');
  }
  return parts.join('\n');
}

/** Every generated file: repo-relative path to its content. */
export function renderAll(): Record<string, string> {
  return { [SCHEMA_FILE]: renderSchema(), [DEFAULTS_FILE]: renderDefaults(), [DOCS_FILE]: renderDocs() };
}

function main(): void {
  for (const [rel, text] of Object.entries(renderAll())) {
    const file = path.join(ROOT, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (old === text) continue;
    fs.writeFileSync(file, text);
    console.log(`wrote ${rel}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
