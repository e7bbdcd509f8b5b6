import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, OptionalActor } from '../common.ts';
import { StringEnum, Nullable } from '../../core/schema.ts';

export const JobStatusSchema = StringEnum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
/** job.get also shows a tenant's restore that waits for an admin ("pending") or was refused ("rejected"). */
export const JobViewStatus = StringEnum(['pending', 'rejected', 'queued', 'running', 'succeeded', 'failed', 'cancelled']);

/** What a succeeded restore wrote, so an admin finds a staged copy without reading the logs. */
export const RestoreResult = Type.Object({
  snapshotId: Type.String(),
  mode: StringEnum(['in-place', 'staging']),
  parts: Type.Array(Type.String()),
  source: Type.String({ description: '"spool", or the destination the archive was streamed from.' }),
  safetySnapshotId: Nullable(Type.String()),
  files: Type.Optional(Type.Object({
    path: Type.String({ description: 'The directory the files were written to: the home in place, `<home>-restore-<timestamp>` (or the admin\'s path) when staged.' }),
    files: Type.Integer(), directories: Type.Integer(), symlinks: Type.Integer(), hardlinks: Type.Integer(), bytes: Type.Integer(), skipped: Type.Integer(),
  })),
  databases: Type.Optional(Type.Array(Type.String(), { description: 'The databases written: staged as `<db>_restore_<timestamp>`, in place under their own names.' })),
  mailFolder: Type.Optional(Type.String({ description: 'Staging: the folder (`Restored-<timestamp>`) each mailbox\'s messages were written into.' })),
  mailboxes: Type.Optional(Type.Array(Type.Object({ address: Type.String(), written: Type.Integer(), present: Type.Integer(), skipped: Type.Integer() }))),
  zones: Type.Optional(Type.Array(Type.String({ description: 'A zone file written: staged beside the live one as `<file>.restore-<timestamp>`.' }))),
});

/** A succeeded backup: the snapshot it made. */
export const BackupResult = Type.Object({
  snapshotId: Type.String(), bytes: Type.Integer(), sha256: Type.String(), files: Type.Integer(),
  inputBytes: Type.Integer({ description: 'Bytes read from the account before compression.' }), seconds: Type.Number(),
});

export const JobView = Type.Object({
  jobId: Type.String(),
  kind: Type.String(),
  account: Nullable(Type.String()),
  status: JobViewStatus,
  trigger: Type.String(),
  progress: Type.Object({ phase: Type.Optional(Type.String()), bytesDone: Type.Optional(Type.Integer()), bytesTotal: Type.Optional(Type.Integer()) }, { additionalProperties: true }),
  snapshotId: Nullable(Type.String()),
  errcode: Type.Optional(Type.String()),
  errtext: Type.Optional(Type.String()),
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String(), path: Type.Optional(Type.String()) })),
  result: Type.Optional(Type.Union([RestoreResult, BackupResult], { description: 'Once succeeded: for a restore, where it wrote; for a backup, the snapshot it made.' })),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});

const JobId = Type.String({ minLength: 1, maxLength: 64 });

export const jobGet = defineMethod({
  name: 'job.get', scope: 'tenant', summary: 'One job with its progress, outcome and warnings; a tenant restore awaiting approval is "pending", a refused one "rejected" (errcode AGENT_E_RESTORE_REJECTED, errtext the reason).',
  params: Type.Object({ jobId: JobId, actor: OptionalActor }, { additionalProperties: false }),
  result: JobView, errors: ['AGENT_E_NOT_FOUND'],
});

export const jobList = defineMethod({
  name: 'job.list', scope: 'tenant', summary: 'Recent jobs, newest first, with tenant restores that wait for approval ("pending") or were refused ("rejected"); status filters on any of them.',
  params: Type.Object({ account: Type.Optional(Type.String({ pattern: NAME_PATTERN })), status: Type.Optional(JobViewStatus), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), actor: OptionalActor }, { additionalProperties: false }),
  result: Type.Object({ jobs: Type.Array(JobView) }), errors: [],
});

export const jobCancel = defineMethod({
  name: 'job.cancel', scope: 'tenant', summary: 'Cancel a queued or running job; running children stop within 2 s and partial files are removed.',
  params: Type.Object({ jobId: JobId, actor: OptionalActor }, { additionalProperties: false }),
  result: JobView, errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT'],
});
