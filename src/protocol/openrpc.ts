import { ERROR_CODES } from '../errors/index.ts';
import type { MethodDescriptor, MethodExample } from './method.ts';
import { plainSchema } from './plain-schema.ts';

const STANDARD_ERRORS = [
  { code: -32700, message: 'Parse error' },
  { code: -32600, message: 'Invalid Request' },
  { code: -32601, message: 'Method not found' },
  { code: -32602, message: 'Invalid params' },
  { code: -32603, message: 'Internal error' },
];

/** OpenRPC's shape of an example: params as a list of named values, the result as one. */
function examplePairing(e: MethodExample): Record<string, unknown> {
  return {
    name: e.name,
    ...(e.description ? { description: e.description } : {}),
    params: Object.entries(e.params).map(([name, value]) => ({ name, value })),
    result: { name: 'result', value: e.result },
  };
}

export function buildOpenRpcDocument(methods: readonly MethodDescriptor[], info: { title: string; version: string; description?: string }): Record<string, unknown> {
  return {
    openrpc: '1.3.2',
    info,
    methods: methods.map((m) => {
      const params = plainSchema(m.params) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      const required = new Set(params.required ?? []);
      return {
        name: m.name,
        summary: m.summary,
        ...(m.description ? { description: m.description } : {}),
        paramStructure: m.positional ? 'either' : 'by-name',
        params: Object.entries(params.properties ?? {}).map(([name, schema]) => ({
          name,
          required: required.has(name),
          schema,
          ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
        })),
        result: { name: `${m.name}.result`, schema: plainSchema(m.result) },
        errors: [
          ...STANDARD_ERRORS,
          ...m.errors.map((code) => ({ code: ERROR_CODES[code].rpc, message: code, data: { code } })),
        ],
        ...(m.examples ? { examples: m.examples.map(examplePairing) } : {}),
        'x-scope': m.scope,
      };
    }),
  };
}
