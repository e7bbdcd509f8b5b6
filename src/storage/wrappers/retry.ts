// Retries transient failures with exponential backoff and jitter. A consumed stream cannot be
// sent again, so put() retries only through putFrom(), which takes a factory that re-opens the
// body; put() with a plain stream is a single attempt.
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { AgentError, toAgentError } from '../../errors/index.ts';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Called before each wait, for logs and job progress. */
  onRetry?: (info: { op: string; attempt: number; delayMs: number; error: AgentError }) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

export async function withRetries<T>(dest: { type: string; name: string }, op: string, policy: RetryPolicy, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  let last: AgentError | undefined;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return await fn();
    } catch (err) {
      last = toAgentError(err, 'AGENT_E_DEST_UNREACHABLE');
      if (!last.retryable || signal?.aborted) throw last;
      if (attempt === policy.attempts) break;
      const ceiling = Math.min(policy.maxDelayMs ?? Infinity, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
      policy.onRetry?.({ op, attempt, delayMs, error: last });
      await sleep(delayMs, undefined, { signal });
    }
  }
  throw new AgentError('AGENT_E_DEST_UNAVAILABLE', `${dest.type} destination ${dest.name}: ${op} failed after ${policy.attempts} attempts: ${last!.message}`, {
    cause: last,
    data: { backend: dest.type, destination: dest.name, attempts: policy.attempts, lastCode: last!.code },
  });
}

export class RetryingDestination implements Destination {
  readonly type: string;
  readonly name: string;
  readonly inner: Destination;
  readonly policy: RetryPolicy;

  constructor(inner: Destination, policy: RetryPolicy = DEFAULT_RETRY) {
    this.inner = inner;
    this.policy = policy;
    this.type = inner.type;
    this.name = inner.name;
  }

  #retry<T>(op: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetries(this.inner, op, this.policy, fn, signal);
  }

  /**
   * One attempt: the stream is consumed by it, so a transient failure cannot be retried and is
   * reported as AGENT_E_DEST_UNAVAILABLE like any other exhausted retry. Use putFrom() when
   * the body can be opened again (a spooled file) to get real retries.
   */
  async put(name: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    try {
      return await this.inner.put(name, body, options);
    } catch (err) {
      const e = toAgentError(err, 'AGENT_E_DEST_UNREACHABLE');
      if (!e.retryable || e.code === 'AGENT_E_DEST_UNAVAILABLE' || options?.signal?.aborted) throw e;
      throw new AgentError('AGENT_E_DEST_UNAVAILABLE', `${this.type} destination ${this.name}: put ${name} failed and a stream being produced cannot be sent again: ${e.message}`, {
        cause: e,
        data: { backend: this.type, destination: this.name, attempts: 1, lastCode: e.code },
      });
    }
  }

  /** Retries the whole upload, opening a fresh body for each attempt. */
  putFrom(name: string, open: () => Readable, options?: PutOptions): Promise<PutResult> {
    return this.#retry(`put ${name}`, () => this.inner.put(name, open(), options), options?.signal);
  }

  get(name: string, options?: { offset?: number; length?: number; signal?: AbortSignal }): Promise<Readable> {
    return this.#retry(`get ${name}`, () => this.inner.get(name, options), options?.signal);
  }

  stat(name: string): Promise<StoredObject | null> {
    return this.#retry(`stat ${name}`, () => this.inner.stat(name));
  }

  list(prefix?: string): Promise<StoredObject[]> {
    return this.#retry('list', () => this.inner.list(prefix));
  }

  delete(name: string): Promise<void> {
    return this.#retry(`delete ${name}`, () => this.inner.delete(name));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
