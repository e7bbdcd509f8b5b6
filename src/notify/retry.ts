// One retry policy for every delivery (HTTP request or SMTP session): bounded tries, exponential
// backoff, a server's Retry-After honoured up to a cap, and every try reported.
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors/index.ts';
import type { RetryPolicy } from './types.ts';

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

export interface TryReport {
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
}

/** Reads a Retry-After header (delta seconds or HTTP date) as milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error a failed try throws: retryable or not, with the status and Retry-After it saw. */
export function sendError(message: string, opts: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown }): AgentError {
  const data: Record<string, unknown> = {};
  if (opts.status !== undefined) data.status = opts.status;
  if (opts.retryAfterMs !== undefined) data.retryAfterMs = opts.retryAfterMs;
  return new AgentError('AGENT_E_NOTIFY_SEND', message, { retryable: opts.retryable, data, cause: opts.cause });
}

/**
 * Runs `fn` until it succeeds, fails for good, or the tries run out. `classify` turns a thrown
 * value into an AgentError (retryable or not); the last error is rethrown.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: () => Promise<{ value: T; status?: number }>,
  classify: (err: unknown) => AgentError,
  report: (r: TryReport) => void,
): Promise<T> {
  const attempts = Math.max(1, policy.attempts);
  for (let attempt = 1; ; attempt++) {
    let err: AgentError;
    try {
      const { value, status } = await fn();
      report({ attempt, ok: true, status });
      return value;
    } catch (e) {
      err = classify(e);
    }
    const status = typeof err.data.status === 'number' ? err.data.status : undefined;
    report({ attempt, ok: false, status, error: err.message });
    if (!err.retryable || attempt >= attempts) throw err;
    const asked = typeof err.data.retryAfterMs === 'number' ? err.data.retryAfterMs : undefined;
    if (asked !== undefined && asked > policy.maxDelayMs) throw err;
    const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
    await sleep(Math.min(policy.maxDelayMs, asked ?? backoff));
  }
}
