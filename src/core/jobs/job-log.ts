// The journal's view of a job: one line when it starts and one when it ends, written by the
// queue for every kind, so an admin can follow (and grep) every run by id, account and code.
import type { Logger } from 'pino';
import type { JobRecord } from './job.ts';

/** The fields every lifecycle line carries; `code` and `summary` are null unless the job failed or was cancelled. */
export function jobLogFields(job: JobRecord): Record<string, unknown> {
  const result = job.result ?? {};
  const bytes = typeof result.bytes === 'number' ? result.bytes : job.progress.bytesDone ?? null;
  return {
    jobId: job.id,
    kind: job.kind,
    account: job.account,
    trigger: job.trigger,
    snapshotId: job.snapshotId,
    status: job.status,
    code: job.errcode,
    summary: job.errtext,
    queuedMs: job.startedAt !== null ? job.startedAt - job.createdAt : null,
    durationMs: job.finishedAt !== null && job.startedAt !== null ? job.finishedAt - job.startedAt : null,
    bytes,
    ...(typeof result.files === 'number' ? { files: result.files } : {}),
    warnings: job.warnings.length,
  };
}

export function logJobStarted(log: Logger, job: JobRecord): void {
  log.info(jobLogFields(job), `job started: ${job.kind} of ${job.account ?? 'the host'}`);
}

/** A failure is an error line; success and a caller's cancel are info. */
export function logJobFinished(log: Logger, job: JobRecord): void {
  const what = `${job.kind} of ${job.account ?? 'the host'}`;
  if (job.status === 'failed') log.error(jobLogFields(job), `job failed: ${what}: ${job.errcode}: ${job.errtext}`);
  else log.info(jobLogFields(job), `job ${job.status}: ${what}`);
}
