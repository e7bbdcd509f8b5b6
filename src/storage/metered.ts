// sha256 and byte count of a stream, computed while it passes through to a backend.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { AgentError } from '../errors/index.ts';

export class Metered extends Transform {
  #hash = createHash('sha256');
  bytes = 0;
  #digest: string | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  /** Set when the body being uploaded failed, as opposed to the destination. */
  sourceError: unknown;

  /**
   * The body's own failure, if that is why the upload stopped: a producer that crashed is
   * not a destination fault and must not be reported (or retried) as one.
   */
  sourceFailure(): AgentError | undefined {
    const err = this.sourceError;
    if (err === undefined) return undefined;
    if (err instanceof AgentError) return err;
    return new AgentError('AGENT_E_SOURCE_READ', `the data to upload could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  /** Hex sha256 of everything that passed; valid once the stream has ended. */
  sha256(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}

/**
 * Pipes `body` through a meter. A failure of the source is forwarded to the metered stream,
 * so a backend reading it sees the error instead of a silently short object.
 */
export function meter(body: Readable): Metered {
  const m = new Metered();
  body.on('error', (err) => {
    m.sourceError ??= err;
    m.destroy(err);
  });
  // The backend may attach its consumer later (after creating a directory, say); until then a
  // source failure must not become an uncaught 'error'. It stays in m.errored and sourceError.
  m.on('error', () => {});
  body.pipe(m);
  return m;
}
