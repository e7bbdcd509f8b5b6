// JSON Schema to Markdown reference tables, shared by the generated docs (configuration,
// destinations, API), so a key, its type, its limits and its default read the same everywhere.

export type SchemaNode = Record<string, unknown>;

/** One leaf key of an object schema, flattened to its dotted path. */
export interface SchemaRow {
  /** The dotted key path as a code span (`a.b`, `list[].c`). */
  key: string;
  type: string;
  required: boolean;
  /** The default as a code span, or ''. */
  default: string;
  description: string;
  /** Limits worth telling a reader, in words. */
  notes: string[];
  /** Marked writeOnly: a secret, accepted but never shown back. */
  secret: boolean;
}

export function typeOf(s: SchemaNode): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.anyOf ?? s.oneOf)) return ((s.anyOf ?? s.oneOf) as SchemaNode[]).map(typeOf).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.allOf)) return 'object';
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? ['any'] : [s.type];
  return types.map((t) => (t === 'array' && s.items ? `array of ${typeOf(s.items as SchemaNode)}` : String(t))).join(' | ');
}

export function constraints(s: SchemaNode): string[] {
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

export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** GitHub tables end a cell at any `|`, even inside a code span, unless it is escaped. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function isObject(s: SchemaNode): boolean {
  return s.type === 'object' && typeof s.properties === 'object' && s.properties !== null;
}

/** An allOf of object schemas (TypeBox's Intersect) as one object schema; anything else as it is. */
export function mergedObject(s: SchemaNode): SchemaNode {
  if (!Array.isArray(s.allOf) || !(s.allOf as SchemaNode[]).every((p) => isObject(mergedObject(p)))) return s;
  const parts = (s.allOf as SchemaNode[]).map(mergedObject);
  return {
    type: 'object',
    ...(s.description ? { description: s.description } : {}),
    properties: Object.assign({}, ...parts.map((p) => p.properties)) as SchemaNode,
    required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
  };
}

export interface RowOptions {
  /** Key path of the schema itself, prefixed to every key. */
  prefix?: string;
  /** Also list each nested object as a row of its own before its keys, so its own optionality shows. */
  objectRows?: boolean;
}

/**
 * One row per leaf key path. Nested objects are walked (listed as a row of their own first with
 * `objectRows`); arrays of objects get their row, then their items' keys under `key[]`.
 */
export function schemaRows(schema: SchemaNode, options: RowOptions = {}, out: SchemaRow[] = []): SchemaRow[] {
  const prefix = options.prefix ?? '';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, raw] of Object.entries(schema.properties as Record<string, SchemaNode>)) {
    const child = mergedObject(raw);
    const key = prefix ? `${prefix}.${name}` : name;
    const nested = isObject(child);
    const items = child.type === 'array' && child.items ? mergedObject(child.items as SchemaNode) : null;
    const itemObject = items !== null && isObject(items);
    if (!nested || options.objectRows) {
      out.push({
        key: code(key),
        type: itemObject ? 'array of objects' : typeOf(child),
        required: required.has(name),
        default: child.default === undefined ? '' : code(JSON.stringify(child.default)),
        description: typeof child.description === 'string' ? child.description : '',
        notes: constraints(child),
        secret: child.writeOnly === true,
      });
    }
    if (nested) schemaRows(child, { ...options, prefix: key }, out);
    else if (itemObject) schemaRows(items, { ...options, prefix: `${key}[]` }, out);
  }
  return out;
}

/** A GitHub table; every cell is escaped. */
export function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of body) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}
