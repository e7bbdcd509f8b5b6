// The one example docs/api.md shows per method: the descriptor's first, else one generated from
// its schemas (required params, plus the actor a panel must send for a tenant method).
import type { MethodDescriptor, MethodExample } from './method.ts';
import { exampleValue, type ExampleHints } from './example-value.ts';
import type { SchemaNode } from '../core/schema-markdown.ts';
import { plainSchema } from './plain-schema.ts';

/** What `name` means in each namespace, so a package example is not called "shop". */
const NAME_BY_NAMESPACE: Readonly<Record<string, string>> = { account: 'shop', package: 'basic', destination: 'offsite', schedule: 'nightly' };

export interface ShownExample extends MethodExample {
  /** Whether it was written with the descriptor or generated from the schemas. */
  source: 'descriptor' | 'generated';
}

export function methodExample(m: MethodDescriptor): ShownExample {
  const written = m.examples?.[0];
  if (written) return { ...written, source: 'descriptor' };
  const namespace = m.name.split('.')[0]!;
  const hints: ExampleHints = NAME_BY_NAMESPACE[namespace] ? { name: NAME_BY_NAMESPACE[namespace] } : {};
  const paramsSchema = plainSchema(m.params);
  const params = exampleValue(paramsSchema, '', hints) as Record<string, unknown>;
  const actor = (paramsSchema.properties as Record<string, SchemaNode> | undefined)?.actor;
  if (actor) params.actor = exampleValue(actor, 'actor', hints);
  return { name: 'generated', params, result: exampleValue(plainSchema(m.result), '', hints), source: 'generated' };
}
