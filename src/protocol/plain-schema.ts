import type { SchemaNode } from '../core/schema-markdown.ts';

/** TypeBox adds symbol keys only; a JSON round-trip keeps what JSON Schema readers see. */
export function plainSchema(schema: unknown): SchemaNode {
  return JSON.parse(JSON.stringify(schema)) as SchemaNode;
}
