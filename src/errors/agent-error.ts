import { ERROR_CODES, type ErrorCode } from './codes.ts';

export interface AgentErrorOptions {
  /** Extra fields for the caller, sent as JSON-RPC `data` beside `code`. Must hold no secrets. */
  data?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the table's default when one instance is known to be (not) retryable. */
  retryable?: boolean;
}

/** An error with a stable code that callers can switch on; the only error type that crosses the wire. */
export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly rpcCode: number;
  readonly retryable: boolean;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AgentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
    this.rpcCode = ERROR_CODES[code].rpc;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.data = options.data ?? {};
  }

  /** The JSON-RPC error object's `data` member. */
  toData(): Record<string, unknown> {
    return { ...this.data, code: this.code, retryable: this.retryable };
  }
}

export function isAgentError(value: unknown): value is AgentError {
  return value instanceof AgentError;
}

/** Wraps anything thrown into an AgentError, keeping AgentErrors as they are. */
export function toAgentError(err: unknown, fallback: ErrorCode = 'AGENT_E_INTERNAL'): AgentError {
  if (err instanceof AgentError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AgentError(fallback, message, { cause: err });
}
