// Opens a snapshot's destinations for a streamed upload (src/app/backup/streamed-upload.ts):
// the archive writer hands its bytes to every destination while it produces them.
import type { Logger } from 'pino';
import type { DestinationStore } from '../../core/store.ts';
import type { Clock } from '../../core/clock.ts';
import { AgentError } from '../../errors/index.ts';
import { openDestination, type DestinationFailureObserver, type RetryPolicy } from '../../storage/index.ts';
import type { RetryingDestination } from '../../storage/wrappers/retry.ts';
import { StreamedUpload } from './streamed-upload.ts';

export interface UploadDeps {
  destinations: DestinationStore;
  clock: Clock;
  log: Logger;
  retry(): RetryPolicy;
  /** Hears of every failed destination operation (metrics). */
  onFailure?: DestinationFailureObserver;
}

export interface UploadRequest {
  snapshotId: string;
  destinations: string[];
  /** The archive's spool path; object names are the archive's (or its parts') file names. */
  outPath: string;
  splitSize?: number;
  /** Write the spool copy too (failed objects are sent again from it); false streams only. */
  localCopy: boolean;
  signal?: AbortSignal;
  /** The job's logger, so retries and failures name the job and the account. */
  log?: Logger;
}

/** Opens a configured destination by name, wrapped for verification and retries. */
export async function openNamedDestination(deps: Pick<UploadDeps, 'destinations' | 'log' | 'retry' | 'onFailure'>, name: string): Promise<RetryingDestination> {
  const row = deps.destinations.get(name);
  if (!row) throw new AgentError('AGENT_E_NOT_FOUND', `destination ${name} not found`, { data: { field: 'destinations', destination: name } });
  const policy = deps.retry();
  return openDestination({ name: row.name, type: row.type, settings: row.settings }, {
    ...policy,
    onRetry: (info) => deps.log.warn({ destination: name, op: info.op, attempt: info.attempt, delayMs: info.delayMs, code: info.error.code, err: info.error.message }, 'destination transfer failed; retrying'),
  }, deps.onFailure);
}

/** The sink a snapshot's archive is written into; no I/O happens before the first bytes. */
export async function openUpload(deps: UploadDeps, req: UploadRequest): Promise<StreamedUpload> {
  const log = (req.log ?? deps.log).child({ snapshotId: req.snapshotId });
  const opened: RetryingDestination[] = [];
  try {
    for (const name of req.destinations) opened.push(await openNamedDestination({ ...deps, log }, name));
  } catch (err) {
    for (const d of opened) await d.close().catch(() => {});
    throw err;
  }
  return new StreamedUpload({
    outPath: req.outPath, splitSize: req.splitSize, localCopy: req.localCopy, destinations: opened, signal: req.signal,
    log, now: () => deps.clock.now(),
  });
}
