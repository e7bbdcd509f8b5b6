import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, OptionalActor } from '../common.ts';
import { StringEnum } from '../../core/schema.ts';

const JobId = Type.String({ minLength: 1, maxLength: 64 });

export const RestorePart = StringEnum(['files', 'databases', 'mail', 'dns']);

export const restoreCreate = defineMethod({
  name: 'restore.create',
  scope: 'tenant',
  summary: 'Restore parts of a snapshot in place or to a staging place; returns the job id at once.',
  description: 'Staging writes files to `<home>-restore-<timestamp>/` (owned by the account; removed again, as the account, if the files do not all arrive: failure or job.cancel), databases to `<db>_restore_<timestamp>` and mail to a `Restored-<timestamp>` folder; in-place overwrites, after a safety snapshot (config restore.safetySnapshot). The archive is verified end to end (its sha256 and every SHA256SUMS entry) before anything is written; it is read from the spool or streamed from a destination (see source). On the panel socket the request waits for an admin (status "pending", event restore.pending) unless the package sets tenantRestore "auto"; "disabled" refuses it.',
  params: Type.Object({
    snapshotId: Type.String({ minLength: 1, maxLength: 64 }),
    parts: Type.Optional(Type.Array(RestorePart, { minItems: 1, maxItems: 4, uniqueItems: true, description: 'Default: every part the snapshot holds.' })),
    target: Type.Optional(Type.Object({
      account: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'Default: the snapshot\'s account.' })),
      mode: StringEnum(['in-place', 'staging']),
      path: Type.Optional(Type.String({ minLength: 2, maxLength: 4096, description: 'Admin only: the directory staged files go into.' })),
    }, { additionalProperties: false })),
    source: Type.Optional(Type.Object({
      destination: Type.String({ pattern: NAME_PATTERN, description: 'Read the snapshot from this destination\'s stored copy, streamed.' }),
    }, { additionalProperties: false, description: 'Admin only. Default: the spool copy when present, else each destination holding a stored copy, in the order they were stored; the first copy that passes verification is restored.' })),
    actor: OptionalActor,
  }, { additionalProperties: false }),
  result: Type.Object({ jobId: Type.String(), status: StringEnum(['queued', 'pending']) }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_FORBIDDEN', 'AGENT_E_INVALID', 'AGENT_E_BUSY', 'AGENT_E_NO_SPACE', 'AGENT_E_SHUTTING_DOWN'],
});

export const restoreApprove = defineMethod({
  name: 'restore.approve',
  scope: 'admin',
  summary: 'Approve a tenant\'s pending restore; it is queued under the same job id.',
  params: Type.Object({ jobId: JobId }, { additionalProperties: false }),
  result: Type.Object({ jobId: Type.String(), status: StringEnum(['queued']) }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT', 'AGENT_E_BUSY'],
});

export const restoreReject = defineMethod({
  name: 'restore.reject',
  scope: 'admin',
  summary: 'Reject a tenant\'s pending restore (event restore.finished with AGENT_E_RESTORE_REJECTED).',
  params: Type.Object({ jobId: JobId, reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
  result: Type.Object({ jobId: Type.String(), status: StringEnum(['rejected']) }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT'],
});

export const snapshotImport = defineMethod({
  name: 'snapshot.import',
  scope: 'admin',
  summary: 'Register an archive made elsewhere (another node, an older copy) after checking its structure and checksums, so it can be restored.',
  params: Type.Object({
    path: Type.String({ minLength: 2, maxLength: 4096, description: 'Absolute path of the .tar.gz / .tar.zst archive on this host, or of the .part001 of a split one (the parts that follow are taken in order); it is copied into the spool and checked as copied.' }),
    account: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'The account it belongs to here; default: the manifest\'s username.' })),
  }, { additionalProperties: false }),
  result: Type.Object({ snapshotId: Type.String(), account: Type.String(), bytes: Type.Integer(), files: Type.Integer(), parts: Type.Integer() }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_INVALID', 'AGENT_E_ARCHIVE_CORRUPT', 'AGENT_E_ARCHIVE_EXPANSION'],
});
