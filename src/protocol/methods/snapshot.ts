import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, OptionalActor } from '../common.ts';
import { Nullable } from '../../core/schema.ts';

export const SnapshotView = Type.Object({
  snapshotId: Type.String(),
  account: Type.String(),
  kind: Type.String(),
  status: Type.String({ description: 'complete, or deleting while copies are being removed.' }),
  createdAt: Type.String(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  files: Type.Integer({ description: 'Regular files of the home directory in the snapshot (hard links included, databases, mail and zones not): backup.estimate, snapshot.list and snapshot.verify count the same.' }),
  scope: Type.String(),
  compression: Type.String(),
  trigger: Type.String(),
  note: Nullable(Type.String()),
  parts: Type.Array(Type.String(), { description: 'Archive file names: one, or .part001… when split.' }),
  temporary: Type.Boolean({ description: 'Purged from the spool 24 hours after creation.' }),
  expiresAt: Nullable(Type.String()),
  path: Type.Optional(Type.String({ description: 'Where the archive is in the spool (admin socket only).' })),
  locations: Type.Array(Type.Object({ destination: Type.String(), object: Type.String(), bytes: Type.Integer(), status: Type.String(), storedAt: Type.String() })),
});

const SnapshotId = Type.String({ minLength: 1, maxLength: 64 });

export const snapshotList = defineMethod({
  name: 'snapshot.list', scope: 'tenant', summary: 'Complete snapshots of an account, newest first.',
  params: Type.Object({ account: Type.String({ pattern: NAME_PATTERN }), actor: OptionalActor }, { additionalProperties: false }),
  result: Type.Object({ snapshots: Type.Array(SnapshotView) }), errors: ['AGENT_E_NOT_FOUND'],
});

export const snapshotGet = defineMethod({
  name: 'snapshot.get', scope: 'tenant', summary: 'One snapshot with every location it is stored in.',
  params: Type.Object({ snapshotId: SnapshotId, actor: OptionalActor }, { additionalProperties: false }),
  result: SnapshotView, errors: ['AGENT_E_NOT_FOUND'],
});

export const snapshotDelete = defineMethod({
  name: 'snapshot.delete', scope: 'tenant', summary: 'Delete a snapshot from the spool.',
  params: Type.Object({ snapshotId: SnapshotId, actor: OptionalActor }, { additionalProperties: false }),
  result: Type.Object({ deleted: Type.Boolean() }), errors: ['AGENT_E_NOT_FOUND'],
});

export const snapshotVerify = defineMethod({
  name: 'snapshot.verify', scope: 'tenant', summary: 'Re-read the archive and check its sha256 and every checksum inside.',
  params: Type.Object({ snapshotId: SnapshotId, actor: OptionalActor }, { additionalProperties: false }),
  result: Type.Object({
    ok: Type.Boolean(), sha256: Type.String(),
    files: Type.Integer({ description: 'Regular files of the home directory in the snapshot (hard links included, databases, mail and zones not): backup.estimate, snapshot.list and snapshot.verify count the same.' }),
    entries: Type.Integer({ description: 'Archive members checked against SHA256SUMS: every file above plus the database dumps, mail, zones, manifest and SHA256SUMS itself.' }),
  }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_ARCHIVE_CORRUPT'],
});
