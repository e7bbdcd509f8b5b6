// After each upload, asks the backend what it stored and compares it with what was sent:
// the size always, the sha256 where the backend records one. A mismatch removes the object.
import type { Readable } from 'node:stream';
import type { Destination, PutOptions, PutResult, StoredObject } from '../../core/destination.ts';
import { AgentError } from '../../errors/index.ts';

export class VerifyingDestination implements Destination {
  readonly type: string;
  readonly name: string;
  readonly inner: Destination;

  constructor(inner: Destination) {
    this.inner = inner;
    this.type = inner.type;
    this.name = inner.name;
  }

  async put(name: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    const sent = await this.inner.put(name, body, options);
    const stored = await this.inner.stat(name);
    const problem = !stored ? 'is not there after upload'
      : stored.size !== sent.size ? `has ${stored.size} bytes, ${sent.size} were sent`
      : options?.size !== undefined && options.size !== sent.size ? `was announced as ${options.size} bytes, ${sent.size} were sent`
      : stored.sha256 && stored.sha256 !== sent.sha256 ? `has sha256 ${stored.sha256}, ${sent.sha256} was sent`
      : undefined;
    if (problem) {
      await this.inner.delete(name).catch(() => {});
      throw new AgentError('AGENT_E_DEST_INTEGRITY', `${this.type} destination ${this.name}: ${name} ${problem}`, {
        data: { backend: this.type, destination: this.name, name, sentSize: sent.size, storedSize: stored?.size ?? null },
      });
    }
    return { ...sent, modifiedAt: stored!.modifiedAt ?? sent.modifiedAt };
  }

  get(name: string, options?: { offset?: number; length?: number; signal?: AbortSignal }): Promise<Readable> {
    return this.inner.get(name, options);
  }

  stat(name: string): Promise<StoredObject | null> {
    return this.inner.stat(name);
  }

  list(prefix?: string): Promise<StoredObject[]> {
    return this.inner.list(prefix);
  }

  listPartials(prefix?: string): Promise<StoredObject[]> {
    return this.inner.listPartials?.(prefix) ?? Promise.resolve([]);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
