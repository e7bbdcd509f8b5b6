import { JSONRPCServer, JSONRPCErrorException, type JSONRPCID, type JSONRPCErrorResponse } from 'json-rpc-2.0';
import type { ValidateFunction } from 'ajv';
import { AgentError, isAgentError } from '../errors/index.ts';
import { makeAjv, describeSchemaError, redact, redactText } from '../core/index.ts';
import { safeResult } from './answer-json.ts';
import type { MethodDescriptor } from '../protocol/index.ts';
import type { CallContext, SocketKind } from './call-context.ts';
import { checkEnvelope, envelopeProblem, errorResponse, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, type RequestId, type RpcResponse } from './envelope.ts';

// Params are typed per method at the handler; here they are known to match the descriptor's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (params: any, ctx: CallContext) => unknown;

export interface RegisteredMethod {
  descriptor: MethodDescriptor;
  handler: Handler;
}

/** What one message earns: an answer, a batch of answers, or nothing (notifications). */
export type Answer = RpcResponse | RpcResponse[] | null;

/** Requests of one batch handled in one turn of the event loop. */
const BATCH_SLICE = 64;

/** #direct's verdict for a message only the general path (the json-rpc-2.0 server) may answer. */
const GENERAL = Symbol('general path');

const ajv = makeAjv();
const validators = new WeakMap<MethodDescriptor, ValidateFunction>();

function validatorFor(d: MethodDescriptor): ValidateFunction {
  let v = validators.get(d);
  if (!v) {
    v = ajv.compile(d.params);
    validators.set(d, v);
  }
  return v;
}

/** True when the method's params declare an actor, i.e. it acts inside one tenant account. */
export function takesActor(d: MethodDescriptor): boolean {
  return Object.hasOwn((d.params as { properties?: object }).properties ?? {}, 'actor');
}

/** The library's success answer: none for a notification, and a missing result is null. */
function success(id: RequestId | undefined, result: unknown): RpcResponse | null {
  return id === undefined ? null : { jsonrpc: '2.0', id, result: result ?? null };
}

/** Maps by-position params onto the names the descriptor declares for them. */
function byName(d: MethodDescriptor, list: unknown[]): Record<string, unknown> {
  const names = d.positional;
  if (!names) throw new JSONRPCErrorException('Invalid params', INVALID_PARAMS, { field: '', reason: 'params must be an object (by-name)' });
  const out: Record<string, unknown> = {};
  for (const [i, name] of names.entries()) {
    if (name.startsWith('...')) {
      out[name.slice(3)] = list.slice(i);
      return out;
    }
    if (i < list.length) out[name] = list[i];
  }
  if (list.length > names.length) {
    throw new JSONRPCErrorException('Invalid params', INVALID_PARAMS, { field: '', reason: `takes at most ${names.length} positional params` });
  }
  return out;
}

/**
 * Routes JSON-RPC messages of one socket to handlers: envelope checks, scope, param validation
 * against the same schemas rpc.discover publishes, and error mapping. Secrets are redacted from
 * every result and error that leaves.
 */
export class Dispatcher {
  readonly socket: SocketKind;
  // The library's default error listener console.warns every thrown error (a bad param is not
  // worth a stack trace on stderr); internal faults are logged by #call instead.
  readonly #server = new JSONRPCServer<CallContext>({ errorListener: () => {} });
  readonly #all: ReadonlyMap<string, RegisteredMethod>;
  readonly #served: ReadonlyMap<string, RegisteredMethod>;
  readonly #onInternalError: (err: unknown, ctx: CallContext, method: string) => void;

  constructor(socket: SocketKind, methods: readonly RegisteredMethod[], onInternalError: (err: unknown, ctx: CallContext, method: string) => void) {
    this.socket = socket;
    this.#all = new Map(methods.map((m) => [m.descriptor.name, m]));
    this.#onInternalError = onInternalError;
    this.#served = new Map(this.served().map((m) => [m.descriptor.name, m]));
    for (const m of this.#served.values()) {
      this.#server.addMethod(m.descriptor.name, (params, ctx) => this.#call(m, params, ctx));
    }
    this.#server.mapErrorToJSONRPCErrorResponse = (id, error) => this.#mapError(id, error);
    this.#server.handleMethodNotFound = async (request) => {
      const known = this.#all.get(request.method);
      if (request.id === undefined) return null;
      if (known) {
        const e = new AgentError('AGENT_E_FORBIDDEN', `${request.method} is an admin method; it is not served on the panel socket`);
        return errorResponse(request.id, e.rpcCode, e.message, e.toData()) as JSONRPCErrorResponse;
      }
      return errorResponse(request.id, -32601, 'Method not found', { method: redactText(String(request.method).slice(0, 200)) }) as JSONRPCErrorResponse;
    };
  }

  /** The methods this socket serves: all on the admin socket, tenant-scoped ones on the panel socket. */
  served(): RegisteredMethod[] {
    return [...this.#all.values()].filter((m) => this.socket === 'admin' || m.descriptor.scope === 'tenant');
  }

  /**
   * Handles one parsed message (a request or a batch): what to send back, or null. A single
   * well-formed request to a served method whose handler answers synchronously is answered on the
   * spot; everything else comes as a promise.
   */
  handle(message: unknown, ctx: CallContext): Answer | Promise<Answer> {
    if (Array.isArray(message)) return this.#batch(message, ctx);
    const direct = this.#direct(message, ctx);
    return direct === GENERAL ? this.#single(message, ctx) : direct;
  }

  async #batch(message: unknown[], ctx: CallContext): Promise<Answer> {
    if (message.length === 0) return errorResponse(null, INVALID_REQUEST, 'Invalid Request', { reason: 'empty batch' });
    const present: RpcResponse[] = [];
    for (let at = 0; at < message.length; at += BATCH_SLICE) {
      // A huge batch yields between slices instead of holding the event loop for all of it.
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      const answers = await Promise.all(message.slice(at, at + BATCH_SLICE).map((m) => this.#single(m, ctx)));
      for (const a of answers) if (a !== null) present.push(a);
    }
    return present.length ? present : null;
  }

  /**
   * The hot path: a well-formed request for a method this socket serves, answered without the
   * library's chain of promises. It gives exactly the library's answers (success and error shapes,
   * silence for notifications); anything else (a bad envelope, a message the library would not take
   * for a request, an unknown or forbidden method) is left to the general path.
   */
  #direct(message: unknown, ctx: CallContext): RpcResponse | null | Promise<RpcResponse | null> | typeof GENERAL {
    if (typeof message !== 'object' || message === null) return GENERAL;
    const m = message as Record<string, unknown>;
    if (m.result !== undefined || m.error !== undefined || envelopeProblem(m) !== null) return GENERAL;
    const method = this.#served.get(m.method as string);
    if (!method) return GENERAL;
    const id = m.id as RequestId | undefined;
    let result: unknown;
    try {
      result = this.#call(method, m.params, ctx);
    } catch (err) {
      return id === undefined ? null : this.#mapError(id, err);
    }
    if (result instanceof Promise) {
      return result.then((r: unknown) => success(id, r), (err: unknown) => (id === undefined ? null : this.#mapError(id, err)));
    }
    return success(id, result);
  }

  async #single(message: unknown, ctx: CallContext): Promise<RpcResponse | null> {
    const checked = checkEnvelope(message);
    if ('response' in checked) return checked.response;
    return (await this.#server.receive(checked.request as never, ctx)) as RpcResponse | null;
  }

  /**
   * Validates the params, runs the handler and redacts its result. Returns the result itself when
   * the handler is synchronous, else a promise of it; throws (or rejects with) the error to answer.
   */
  #call(m: RegisteredMethod, rawParams: unknown, ctx: CallContext): unknown {
    const params = rawParams === undefined ? {} : Array.isArray(rawParams) ? byName(m.descriptor, rawParams) : rawParams;
    const validate = validatorFor(m.descriptor);
    if (!validate(params)) {
      const { field, message } = describeSchemaError(validate.errors);
      throw new JSONRPCErrorException('Invalid params', INVALID_PARAMS, { field, reason: message });
    }
    const p = params as Record<string, unknown>;
    if (this.socket === 'panel' && takesActor(m.descriptor) && p.actor === undefined) {
      throw new JSONRPCErrorException('Invalid params', INVALID_PARAMS, { field: 'actor', reason: 'is required on the panel socket' });
    }
    const started = ctx.log.isLevelEnabled('debug') ? performance.now() : -1;
    let result: unknown;
    try {
      result = m.handler(p, ctx);
    } catch (err) {
      this.#logCall(m, ctx, started);
      throw this.#fault(err, m, ctx);
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return Promise.resolve(result).then(
        (r: unknown) => {
          this.#logCall(m, ctx, started);
          return safeResult(r);
        },
        (err: unknown) => {
          this.#logCall(m, ctx, started);
          throw this.#fault(err, m, ctx);
        },
      );
    }
    this.#logCall(m, ctx, started);
    return safeResult(result);
  }

  /** What a handler's failure becomes for the caller: its AgentError, or an internal error quoting the request id. */
  #fault(err: unknown, m: RegisteredMethod, ctx: CallContext): unknown {
    if (isAgentError(err)) return err;
    // The cause stays in the log; the caller gets the request id to quote.
    this.#onInternalError(err, ctx, m.descriptor.name);
    return new JSONRPCErrorException('Internal error', INTERNAL_ERROR, { code: 'AGENT_E_INTERNAL', requestId: ctx.requestId });
  }

  #logCall(m: RegisteredMethod, ctx: CallContext, started: number): void {
    if (started >= 0) ctx.log.debug({ requestId: ctx.requestId, method: m.descriptor.name, ms: Math.round(performance.now() - started) }, 'rpc call');
  }

  #mapError(id: JSONRPCID, error: unknown): JSONRPCErrorResponse {
    if (error instanceof JSONRPCErrorException) {
      return errorResponse(id, error.code, error.message, error.data) as JSONRPCErrorResponse;
    }
    if (isAgentError(error)) {
      return errorResponse(id, error.rpcCode, redactText(error.message), redact(error.toData())) as JSONRPCErrorResponse;
    }
    return errorResponse(id, INTERNAL_ERROR, 'Internal error', { code: 'AGENT_E_INTERNAL' }) as JSONRPCErrorResponse;
  }
}
