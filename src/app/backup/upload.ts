// Copies a finished snapshot from the spool to its destinations. Uploads start once the local
// archive is complete (no tee into the writer yet); each part is re-opened from the spool for
// every retry, so transient failures get real retries with backoff (RetryingDestination.putFrom).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SnapshotLocation } from '../../core/model.ts';
import type { DestinationStore } from '../../core/store.ts';
import type { Clock } from '../../core/clock.ts';
import { AgentError, toAgentError } from '../../errors/index.ts';
import { openDestination, type RetryPolicy } from '../../storage/index.ts';
import type { RetryingDestination } from '../../storage/wrappers/retry.ts';

export interface UploadDeps {
  destinations: DestinationStore;
  clock: Clock;
  log: Logger;
  retry(): RetryPolicy;
}

export interface UploadRequest {
  snapshotId: string;
  /** Spool paths of the archive parts, in order; the object names are their file names. */
  files: string[];
  /** sha256 of the whole archive; checked against a single-part upload. */
  sha256: string;
  destinations: string[];
  signal?: AbortSignal;
  onProgress?(p: { destination: string; bytesDone: number; bytesTotal: number }): void;
}

/** Opens a configured destination by name, wrapped for verification and retries. */
export async function openNamedDestination(deps: Pick<UploadDeps, 'destinations' | 'log' | 'retry'>, name: string): Promise<RetryingDestination> {
  const row = deps.destinations.get(name);
  if (!row) throw new AgentError('AGENT_E_NOT_FOUND', `destination ${name} not found`, { data: { field: 'destinations', destination: name } });
  const policy = deps.retry();
  return openDestination({ name: row.name, type: row.type, settings: row.settings }, {
    ...policy,
    onRetry: (info) => deps.log.warn({ destination: name, op: info.op, attempt: info.attempt, delayMs: info.delayMs, code: info.error.code, err: info.error.message }, 'destination transfer failed; retrying'),
  });
}

/**
 * Uploads every part to every destination and returns the locations to record. When any upload
 * fails for good, what this call already stored is deleted again and AGENT_E_DEST_UNAVAILABLE
 * (or the backend's non-retryable code) is thrown, so no half-copied snapshot is left listed.
 */
export async function uploadSnapshot(deps: UploadDeps, req: UploadRequest): Promise<SnapshotLocation[]> {
  const sizes = req.files.map((f) => fs.statSync(f).size);
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);
  const locations: SnapshotLocation[] = [];
  const stored: { dest: RetryingDestination; object: string }[] = [];
  const opened: RetryingDestination[] = [];
  try {
    for (const destName of req.destinations) {
      const dest = await openNamedDestination(deps, destName);
      opened.push(dest);
      let bytesDone = 0;
      for (const [i, file] of req.files.entries()) {
        const object = path.basename(file);
        const size = sizes[i]!;
        const put = await dest.putFrom(object, () => fs.createReadStream(file), { size, signal: req.signal });
        stored.push({ dest, object });
        if (put.size !== size || (req.files.length === 1 && put.sha256 !== req.sha256)) {
          throw new AgentError('AGENT_E_DEST_INTEGRITY', `destination ${destName}: ${object} was sent as ${put.size} bytes (sha256 ${put.sha256}), the archive has ${size} bytes`, { data: { destination: destName, object } });
        }
        bytesDone += size;
        req.onProgress?.({ destination: destName, bytesDone, bytesTotal });
        locations.push({ destination: destName, object, bytes: size, status: 'stored', storedAt: deps.clock.now() });
      }
      deps.log.info({ snapshotId: req.snapshotId, destination: destName, objects: req.files.length, bytes: bytesTotal }, 'snapshot copied to destination');
    }
    return locations;
  } catch (err) {
    const e = toAgentError(err, 'AGENT_E_DEST_UNAVAILABLE');
    for (const { dest, object } of stored) {
      await dest.inner.delete(object).catch((delErr: unknown) => deps.log.error({ destination: dest.name, object, err: (delErr as Error).message }, 'could not remove an uploaded part after a failed upload'));
    }
    if (req.signal?.aborted) throw err;
    // Integrity and exhausted retries both mean the copy could not be made.
    if (e.code === 'AGENT_E_DEST_INTEGRITY' || e.retryable) {
      throw new AgentError('AGENT_E_DEST_UNAVAILABLE', e.message, { cause: e, data: { ...e.data, lastCode: e.data.lastCode ?? e.code } });
    }
    throw e;
  } finally {
    for (const d of opened) await d.close().catch(() => {});
  }
}
