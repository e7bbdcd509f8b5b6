// The archive's bytes go to every destination while they are written: this sink cuts them into
// the archive's parts (each part its own object) and feeds one upload stream per part and
// destination, optionally writing the spool copy alongside. A write resolves only when every
// destination took the bytes, so a slow destination slows the archive instead of filling memory.
//
// Retries: a backend that uploads in chunks (S3 parts, Azure blocks, Dropbox session appends)
// retries each chunk itself (src/storage/chunk-retry.ts). A streamed object that still fails
// is sent again from the spool copy with backoff (RetryingDestination.putFrom) once the archive
// is complete, when there is a spool copy; without one a stream cannot be replayed, so the
// failure ends the archive at once. Either way a failed run deletes every object it stored, and
// the hidden partials failed attempts left behind are removed where the peer is there to do it.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import { PartSink, partPath, type ArchiveSink, type SinkResult } from '../../archive/index.ts';
import type { PutResult } from '../../core/destination.ts';
import type { SnapshotLocation } from '../../core/model.ts';
import { AgentError, toAgentError } from '../../errors/index.ts';
import type { RetryingDestination } from '../../storage/wrappers/retry.ts';
import { isPartialOf } from '../../storage/index.ts';

/** Bytes buffered per upload stream before the archive waits for that destination. */
const STREAM_BUFFER = 1 << 20;

export interface StreamedUploadOptions {
  /** The archive's spool path; parts and object names derive from it as for a PartSink. */
  outPath: string;
  splitSize?: number;
  /** Also write the archive to outPath, which failed objects are sent again from. */
  localCopy: boolean;
  destinations: RetryingDestination[];
  signal?: AbortSignal;
  log: Logger;
  now(): number;
}

interface Part {
  index: number;
  object: string;
  bytes: number;
  sha256?: string;
}

/** One object being streamed to one destination. */
class PartStream {
  readonly body = new PassThrough({ highWaterMark: STREAM_BUFFER });
  /** Settles when the upload does; never rejects. */
  readonly result: Promise<PutResult | AgentError>;
  failure: AgentError | undefined;
  #written = 0;

  constructor(dest: RetryingDestination, object: string, signal: AbortSignal | undefined) {
    // A destroyed body must not raise an uncaught 'error'; the upload reports the failure.
    this.body.on('error', () => {});
    this.result = dest.put(object, this.body, { signal }).then((r) => r, (err: unknown) => {
      this.failure = toAgentError(err, 'AGENT_E_DEST_UNAVAILABLE');
      this.body.destroy();
      return this.failure;
    });
  }

  /** Bytes the backend has taken from this stream so far. */
  get taken(): number {
    return this.#written - this.body.writableLength - this.body.readableLength;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure || this.body.destroyed) return;
    this.#written += chunk.length;
    if (this.body.write(chunk)) return;
    await Promise.race([once(this.body, 'drain').catch(() => {}), this.result]);
  }

  end(): void {
    if (!this.body.destroyed) this.body.end();
  }

  abort(reason: AgentError): void {
    if (!this.body.writableFinished) this.body.destroy(reason);
  }
}

interface Target {
  dest: RetryingDestination;
  /** By part index - 1. */
  streams: PartStream[];
  /** Objects stored by this run, deleted again if the run fails. */
  stored: Set<string>;
  failureLogged: boolean;
}

export class StreamedUpload implements ArchiveSink {
  readonly #o: StreamedUploadOptions;
  readonly #local: PartSink | null;
  readonly #targets: Target[];
  readonly #parts: Part[] = [];
  /** sha256 of the whole archive, when no spool copy computes it. */
  readonly #hash: Hash | null;
  /** The part being written; a split archive's parts are hashed one by one, a whole one's hash is the archive's. */
  #part: { info: Part; left: number; hash: Hash | null; streams: PartStream[] } | null = null;
  #bytes = 0;

  constructor(options: StreamedUploadOptions) {
    this.#o = options;
    this.#local = options.localCopy ? new PartSink(options.outPath, options.splitSize) : null;
    this.#hash = options.localCopy ? null : createHash('sha256');
    this.#targets = options.destinations.map((dest) => ({ dest, streams: [], stored: new Set(), failureLogged: false }));
  }

  get bytes(): number { return this.#bytes; }

  /** Bytes each destination has taken so far, by destination name. */
  uploaded(): Record<string, number> {
    return Object.fromEntries(this.#targets.map((t) => [t.dest.name, t.streams.reduce((n, s) => n + (s.failure ? 0 : s.taken), 0)]));
  }

  async write(pieces: Buffer[]): Promise<void> {
    this.#throwIfFatal();
    // A copy: the archive pipeline reuses its buffers once this resolves, the uploads may not be done with them.
    const data = Buffer.concat(pieces);
    await Promise.all([this.#local?.write(pieces), this.#feed(data)]);
    this.#bytes += data.length;
    this.#throwIfFatal();
  }

  async #feed(data: Buffer): Promise<void> {
    this.#hash?.update(data);
    let off = 0;
    while (off < data.length) {
      if (!this.#part || this.#part.left === 0) await this.#nextPart();
      const part = this.#part!;
      const slice = data.subarray(off, off + Math.min(data.length - off, part.left));
      part.hash?.update(slice);
      part.info.bytes += slice.length;
      part.left -= slice.length;
      off += slice.length;
      await Promise.all(part.streams.map((s) => s.write(slice)));
    }
  }

  async #nextPart(): Promise<void> {
    this.#endPart();
    const index = this.#parts.length + 1;
    const object = path.basename(this.#o.splitSize ? partPath(this.#o.outPath, index) : this.#o.outPath);
    const info: Part = { index, object, bytes: 0 };
    this.#parts.push(info);
    // At most two objects in flight per destination: the one finishing and the new one.
    await Promise.all(this.#targets.map((t) => t.streams[index - 3]?.result));
    const streams = this.#targets.map((t) => {
      const s = new PartStream(t.dest, object, this.#o.signal);
      t.streams.push(s);
      void s.result.then((r) => { if (!(r instanceof AgentError)) t.stored.add(object); });
      return s;
    });
    this.#part = { info, left: this.#o.splitSize ?? Infinity, hash: this.#o.splitSize ? createHash('sha256') : null, streams };
  }

  #endPart(): void {
    if (!this.#part) return;
    if (this.#part.hash) this.#part.info.sha256 = this.#part.hash.digest('hex');
    for (const s of this.#part.streams) s.end();
    this.#part = null;
  }

  /**
   * A failure no later step can mend ends the archive: any failure without a spool copy, and
   * a permanent one (credentials, permissions) either way.
   */
  #throwIfFatal(): void {
    for (const t of this.#targets) {
      for (const s of t.streams) {
        const e = s.failure;
        if (e && (!this.#local || !resendable(e))) throw this.#destinationFailed(t, uploadFailure(e, this.#o.signal));
      }
    }
  }

  async finish(): Promise<SinkResult> {
    if (!this.#parts.length) await this.#nextPart();
    this.#endPart();
    const local = await this.#local?.finish();
    const dir = path.dirname(this.#o.outPath);
    const sha256 = local?.sha256 ?? this.#hash!.digest('hex');
    if (!this.#o.splitSize) this.#parts[0]!.sha256 = sha256;
    return {
      sha256,
      bytes: this.#bytes,
      paths: local?.paths ?? this.#parts.map((p) => path.join(dir, p.object)),
    };
  }

  /**
   * After finish(): waits for every upload, sends failed objects again from the spool copy,
   * verifies size and sha256 of each object and returns the locations to record. On failure
   * every object this run stored is deleted and AGENT_E_DEST_UNAVAILABLE (or the backend's
   * permanent code) is thrown.
   */
  async complete(): Promise<SnapshotLocation[]> {
    const locations: SnapshotLocation[] = [];
    try {
      for (const t of this.#targets) {
        try {
          for (const [i, s] of t.streams.entries()) {
            const part = this.#parts[i]!;
            let put = await s.result;
            if (put instanceof AgentError) {
              if (!this.#local || !resendable(put)) throw put;
              this.#o.log.warn({ destination: t.dest.name, object: part.object, code: put.code, err: put.message }, 'streamed upload failed; sending it again from the spool copy');
              const file = path.join(path.dirname(this.#o.outPath), part.object);
              put = await t.dest.putFrom(part.object, () => fs.createReadStream(file), { size: part.bytes, signal: this.#o.signal });
              t.stored.add(part.object);
              await this.#removePartials(t, part.object);
            }
            if (put.size !== part.bytes || put.sha256 !== part.sha256) {
              throw new AgentError('AGENT_E_DEST_INTEGRITY', `destination ${t.dest.name}: ${part.object} was sent as ${put.size} bytes (sha256 ${put.sha256}), the archive part has ${part.bytes} bytes (sha256 ${part.sha256})`, { data: { destination: t.dest.name, object: part.object } });
            }
            locations.push({ destination: t.dest.name, object: part.object, bytes: part.bytes, status: 'stored', storedAt: this.#o.now() });
          }
        } catch (err) {
          throw this.#destinationFailed(t, uploadFailure(err, this.#o.signal));
        }
        this.#o.log.info({ destination: t.dest.name, objects: this.#parts.length, bytes: this.#bytes }, 'snapshot copied to destination');
      }
      return locations;
    } catch (err) {
      await this.#removeStored();
      throw uploadFailure(err, this.#o.signal);
    }
  }

  /** Logs which destination failed the run, once, and returns the error to throw. */
  #destinationFailed(t: Target, e: AgentError): AgentError {
    if (!this.#o.signal?.aborted && !t.failureLogged) {
      t.failureLogged = true;
      this.#o.log.error({ destination: t.dest.name, code: e.code, summary: e.message, bytes: this.#bytes }, `destination ${t.dest.name} failed: ${e.code}: ${e.message}`);
    }
    return e;
  }

  async discard(): Promise<void> {
    const reason = new AgentError('AGENT_E_CANCELLED', 'the archive was not completed');
    for (const t of this.#targets) for (const s of t.streams) s.abort(reason);
    await this.#removeStored();
    await this.#local?.discard();
  }

  /** Deletes what this run stored, once no upload is in flight any more. */
  async #removeStored(): Promise<void> {
    await Promise.all(this.#targets.flatMap((t) => t.streams.map((s) => s.result)));
    for (const t of this.#targets) {
      for (const object of t.stored) {
        await t.dest.inner.delete(object).catch((err: unknown) => this.#o.log.error({ destination: t.dest.name, object, err: (err as Error).message }, 'could not remove an uploaded object after a failed run'));
      }
      t.stored.clear();
      for (const [i, s] of t.streams.entries()) if (s.failure) await this.#removePartials(t, this.#parts[i]!.object);
    }
  }

  /** Deletes the hidden partials failed attempts at `object` left behind; one try, since the peer may be gone. */
  async #removePartials(t: Target, object: string): Promise<void> {
    const dest = t.dest.inner;
    if (!dest.listPartials) return;
    try {
      for (const p of await dest.listPartials(object.slice(0, object.lastIndexOf('/') + 1))) {
        if (isPartialOf(p.name, object)) await dest.delete(p.name);
      }
    } catch (err) {
      this.#o.log.warn({ destination: t.dest.name, object, err: (err as Error).message }, 'could not remove the partial objects of failed uploads');
    }
  }

  async close(): Promise<void> {
    for (const t of this.#targets) await t.dest.close().catch(() => {});
  }
}

/** Worth sending again from the spool: the destination was unreachable or the bytes arrived wrong. */
function resendable(e: AgentError): boolean {
  return e.retryable || e.code === 'AGENT_E_DEST_INTEGRITY';
}

/**
 * What a run reports when copies could not be made: integrity failures and exhausted retries are
 * AGENT_E_DEST_UNAVAILABLE; permanent failures keep their code; a cancelled run stays cancelled.
 */
export function uploadFailure(err: unknown, signal: AbortSignal | undefined): AgentError {
  const e = toAgentError(err, 'AGENT_E_DEST_UNAVAILABLE');
  if (signal?.aborted) return e;
  if (e.code !== 'AGENT_E_DEST_UNAVAILABLE' && (e.code === 'AGENT_E_DEST_INTEGRITY' || e.retryable)) {
    return new AgentError('AGENT_E_DEST_UNAVAILABLE', e.message, { cause: e, data: { ...e.data, lastCode: e.data.lastCode ?? e.code } });
  }
  return e;
}
