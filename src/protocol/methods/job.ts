import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, OptionalActor } from '../common.ts';
import { StringEnum, Nullable } from '../../core/schema.ts';

export const JobStatusSchema = StringEnum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
/** job.get also shows a tenant's restore that waits for an admin ("pending") or was refused ("rejected"). */
export const JobViewStatus = StringEnum(['pending', 'rejected', 'queued', 'running', 'succeeded', 'failed', 'cancelled']);

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
