import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '../errors/index.ts';

/**
 * admin: admin socket only. tenant: both sockets; on the panel socket a method whose params
 * declare `actor` must be given one, and acts only within that account.
 */
export type Scope = 'admin' | 'tenant';

/**
 * A worked call: by-name params and the result they get. Published in rpc.discover as an OpenRPC
 * example pairing and shown in docs/api.md; a test validates both against the method's schemas.
 */
export interface MethodExample {
  readonly name: string;
  readonly description?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly result: unknown;
}

/** One RPC method, described once and used by the daemon (validation, dispatch, rpc.discover) and the client (types). */
export interface MethodDescriptor<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly name: string;
  readonly scope: Scope;
  readonly summary: string;
  readonly description?: string;
  /** An object schema; its properties become the OpenRPC by-name params. */
  readonly params: P;
  /**
   * Optional: accept by-position params too. Names the array elements in order, mapping them
   * onto the by-name params before validation; a last name written `...name` collects the
   * remaining elements as one array. Without it, array params get -32602.
   */
  readonly positional?: readonly string[];
  readonly result: R;
  /** Application errors the method may return, for the OpenRPC document. */
  readonly errors: readonly ErrorCode[];
  /** Worked calls, for methods whose schemas alone make a poor example; docs/api.md generates one for the rest. */
  readonly examples?: readonly MethodExample[];
}

export function defineMethod<P extends TSchema, R extends TSchema>(descriptor: MethodDescriptor<P, R>): MethodDescriptor<P, R> {
  return descriptor;
}

export type ParamsOf<M> = M extends MethodDescriptor<infer P, TSchema> ? Static<P> : never;
export type ResultOf<M> = M extends MethodDescriptor<TSchema, infer R> ? Static<R> : never;
