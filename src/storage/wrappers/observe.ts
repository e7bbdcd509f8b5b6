// Tells an observer (the daemon's metrics) about every failed operation of a destination,
// each attempt on its own; it changes nothing about the call. Only AGENT_E_DEST_* failures are
// the destination's: a cancelled job or an unreadable archive is not reported against it.
import type { Readable } from 'node:stream';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { toAgentError } from '../../errors/index.ts';

export type DestinationFailureObserver = (failure: { destination: string; type: string; code: string }) => void;

export class ObservedDestination implements Destination {
  readonly type: string;
  readonly name: string;
  readonly inner: Destination;
  readonly #observer: DestinationFailureObserver;

  constructor(inner: Destination, observer: DestinationFailureObserver) {
    this.inner = inner;
    this.type = inner.type;
    this.name = inner.name;
    this.#observer = observer;
  }

  async #watch<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      const code = toAgentError(err, 'AGENT_E_DEST_UNREACHABLE').code;
      if (code.startsWith('AGENT_E_DEST_')) {
        try {
          this.#observer({ destination: this.name, type: this.type, code });
        } catch {
          // An observer's fault never changes the outcome of a transfer.
        }
      }
      throw err;
    }
  }

  put(name: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    return this.#watch(this.inner.put(name, body, options));
  }

  get(name: string, options?: { offset?: number; length?: number; signal?: AbortSignal }): Promise<Readable> {
    return this.#watch(this.inner.get(name, options));
  }

  stat(name: string): Promise<StoredObject | null> {
    return this.#watch(this.inner.stat(name));
  }

  list(prefix?: string): Promise<StoredObject[]> {
    return this.#watch(this.inner.list(prefix));
  }

  listPartials(prefix?: string): Promise<StoredObject[]> {
    return this.#watch(this.inner.listPartials?.(prefix) ?? Promise.resolve([]));
  }

  delete(name: string): Promise<void> {
    return this.#watch(this.inner.delete(name));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
