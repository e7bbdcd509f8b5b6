import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, OptionalActor } from '../common.ts';
import { StringEnum } from '../../core/schema.ts';

export const BackupScope = StringEnum(['full', 'hosting', 'mail', 'configuration'], {
  description: 'full: everything; hosting: files, databases, dns; mail: mailboxes; configuration: manifest, dns and definitions without data.',
});

export const backupCreate = defineMethod({
  name: 'backup.create',
  scope: 'tenant',
  summary: 'Start an account_full snapshot; returns at once with the job and the snapshot id it will have.',
  description: 'On the panel socket the package policy applies: tenant backups enabled (AGENT_E_FORBIDDEN), the daily limit (AGENT_E_RATE_LIMITED with data.retryAt) and maxBytes (AGENT_E_TOO_LARGE). The first two carry data.reason, the code account.capabilities gives beforehand.',
  params: Type.Object({
    account: Type.String({ pattern: NAME_PATTERN }),
    scope: Type.Optional(BackupScope),
    compression: Type.Optional(StringEnum(['gzip', 'zstd'])),
    splitSize: Type.Optional(Type.Integer({ minimum: 1024, description: 'Split the archive into parts of this many KiB.' })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{0,64}$', description: 'Prefix of the archive file name.' })),
    destinations: Type.Optional(Type.Array(Type.String({ pattern: NAME_PATTERN }), { maxItems: 16, description: 'Off-host destinations to copy the snapshot to (admin only).' })),
    actor: OptionalActor,
  }, { additionalProperties: false }),
  result: Type.Object({ jobId: Type.String(), snapshotId: Type.String() }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_FORBIDDEN', 'AGENT_E_RATE_LIMITED', 'AGENT_E_TOO_LARGE', 'AGENT_E_NO_SPACE', 'AGENT_E_DB_UNAVAILABLE', 'AGENT_E_SOURCE_READ', 'AGENT_E_BUSY', 'AGENT_E_SHUTTING_DOWN'],
});

export const Estimate = Type.Object({
  bytes: Type.Integer({ description: 'Uncompressed bytes: files, databases and mail.' }),
  files: Type.Integer({ description: 'Regular files of the home directory the snapshot would take (excludes and the .ssh rule applied, hard links included), as snapshot.list and snapshot.verify count them.' }),
  databases: Type.Integer(),
  mailboxes: Type.Integer(),
  seconds: Type.Number({ description: 'Expected duration at this host\'s measured throughput.' }),
});

export const backupEstimate = defineMethod({
  name: 'backup.estimate',
  scope: 'tenant',
  summary: 'Size and duration of a snapshot, without taking it.',
  params: Type.Object({ account: Type.String({ pattern: NAME_PATTERN }), scope: Type.Optional(BackupScope), actor: OptionalActor }, { additionalProperties: false }),
  result: Estimate,
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_FORBIDDEN', 'AGENT_E_DB_UNAVAILABLE', 'AGENT_E_SOURCE_READ'],
});

export const limitsReset = defineMethod({
  name: 'limits.reset',
  scope: 'admin',
  summary: 'Clear an account\'s tenant snapshot window, so it may take snapshots again at once.',
  params: Type.Object({ account: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false }),
  result: Type.Object({ cleared: Type.Integer() }),
  errors: ['AGENT_E_NOT_FOUND'],
});
