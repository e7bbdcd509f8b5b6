// Schema helpers shared by the config loader and the RPC param validator, so both name a bad
// field the same way.
import { Type, type TSchema, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** A string restricted to a fixed set, emitted as a plain JSON Schema `enum`. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

const ABSOLUTE_PATH = '^/';
const LOOPBACK_ADDRESS = '^(127\\.[0-9.]+|\\[::1\\]|localhost):[0-9]{1,5}$';

/** A file-system path that must be absolute: a relative one would resolve against the daemon's cwd (/ under systemd). */
export function AbsolutePath(options: SchemaOptions = {}) {
  return Type.String({ ...options, minLength: 1, pattern: ABSOLUTE_PATH });
}

/** host:port on the loopback interface: HTTP endpoints of the daemon are never offered on a public address. */
export function LoopbackAddress(options: SchemaOptions = {}) {
  return Type.String({ ...options, pattern: LOOPBACK_ADDRESS });
}

/** `T | null`, emitted as one type list rather than anyOf so errors stay readable. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<T['static'] | null> {
  const type = (schema as { type?: string }).type;
  return Type.Unsafe<T['static'] | null>({ ...schema, ...options, type: [type, 'null'] });
}

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `rpc.maxLineBytes` or `destinations.0`; '' for the root. */
  field: string;
  message: string;
}

export function makeAjv(options: { useDefaults?: boolean; coerceTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: options.useDefaults ?? false, coerceTypes: options.coerceTypes ?? false });
  addFormats(ajv);
  return ajv;
}

function dotted(pointer: string): string {
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/** Turns ajv's first error into one field and one sentence. */
export function describeSchemaError(errors: ErrorObject[] | null | undefined): FieldProblem {
  const e = errors?.[0];
  if (!e) return { field: '', message: 'is invalid' };
  let field = dotted(e.instancePath);
  let message = e.message ?? 'is invalid';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      field = field ? `${field}.${String(p.additionalProperty)}` : String(p.additionalProperty);
      message = 'is not a known key';
      break;
    case 'required':
      field = field ? `${field}.${String(p.missingProperty)}` : String(p.missingProperty);
      message = 'is required';
      break;
    case 'enum':
      message = `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'pattern':
      if (p.pattern === ABSOLUTE_PATH) message = 'must be an absolute path';
      if (p.pattern === LOOPBACK_ADDRESS) message = 'must be a loopback address:port (127.x.x.x, [::1] or localhost); a public address is refused';
      break;
    case 'type':
      message = `must be ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}`;
      break;
    case 'anyOf':
    case 'oneOf': {
      const branches = (errors ?? []).filter((x) => x !== e && x.instancePath === e.instancePath && x.keyword !== e.keyword);
      const parts = [...new Set(branches.map((b) => b.message).filter(Boolean))];
      if (parts.length) message = parts.join(', or ');
      break;
    }
  }
  return { field, message };
}

export function compile(ajv: Ajv, schema: TSchema): ValidateFunction {
  return ajv.compile(schema);
}
