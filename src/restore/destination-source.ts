// A snapshot's copy at a destination as an archive source: its objects (one per part) are
// streamed in order with Destination.get, never downloaded whole. A connection that drops in
// the middle of an object resumes at the byte it reached. Each read is hashed, so a copy that
// changed at the destination between the verification pass and the restore pass is noticed.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Destination } from '../core/destination.ts';
import { AgentError, toAgentError } from '../errors/index.ts';
import type { ArchiveSource, Compression } from '../archive/index.ts';

export interface DestinationArchiveOptions {
  dest: Destination;
  /** Object names of the parts, in order. */
  objects: string[];
  compression: Compression;
  /** sha256 of the whole archive; every read is checked against it at its end. */
  sha256: string;
  /** Mid-object resumes allowed per object. */
  resumes?: number;
  signal?: AbortSignal;
}

const DEFAULT_RESUMES = 3;

export function destinationArchive(o: DestinationArchiveOptions): ArchiveSource {
  const where = `${o.dest.type} destination ${o.dest.name}`;
  async function* object(name: string): AsyncGenerator<Buffer> {
    let offset = 0;
    let resumes = o.resumes ?? DEFAULT_RESUMES;
    for (;;) {
      const body: Readable = await o.dest.get(name, { offset, signal: o.signal });
      try {
        for await (const chunk of body) {
          offset += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        return;
      } catch (err) {
        o.signal?.throwIfAborted();
        const e = toAgentError(err, 'AGENT_E_DEST_UNREACHABLE');
        if (e.retryable && resumes-- > 0) continue;
        throw new AgentError('AGENT_E_DEST_UNAVAILABLE', `${where}: reading ${name} failed at byte ${offset}: ${e.message}`, {
          cause: e, data: { destination: o.dest.name, object: name, lastCode: e.code },
        });
      } finally {
        body.destroy();
      }
    }
  }
  return {
    compression: o.compression,
    origin: o.dest.name,
    sealedSha256: o.sha256,
    async *open() {
      const hash = createHash('sha256');
      for (const name of o.objects) {
        for await (const chunk of object(name)) {
          hash.update(chunk);
          yield chunk;
        }
      }
      if (hash.digest('hex') !== o.sha256) {
        throw new AgentError('AGENT_E_ARCHIVE_CORRUPT', `${where}: the copy's sha256 differs from the snapshot's`, { data: { destination: o.dest.name } });
      }
    },
  };
}
