import { Type } from '@sinclair/typebox';
import { notificationOverrides } from '../../config/sections/notifications.ts';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, Timestamp } from '../common.ts';
import { StringEnum, Nullable } from '../../core/schema.ts';
import { BackupScope } from './backup.ts';

const ScheduleId = Type.String({ pattern: NAME_PATTERN });

export const ScheduleTarget = Type.Union([
  Type.Object({ account: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false }),
  Type.Object({ package: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
], { description: 'One account, every account of a package, or every account; expanded when the schedule fires.' });

const keep = (what: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: `Keep the newest snapshot of each of the last N ${what}.` }));

export const RetentionSchema = Type.Object({
  keepLast: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Keep the N newest snapshots.' })),
  keepDaily: keep('days'),
  keepWeekly: keep('ISO weeks'),
  keepMonthly: keep('months'),
}, { additionalProperties: false, description: 'Applied per schedule, account and destination after each successful run; {} keeps everything.' });

export const ScheduleParams = Type.Object({
  id: ScheduleId,
  cron: Type.String({ minLength: 1, maxLength: 200, description: 'croner syntax: 5 fields, or 6 with seconds first; @daily, @hourly, @weekly, @monthly.' }),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA timezone of the cron fields and retention days; default UTC.' })),
  target: ScheduleTarget,
  scope: Type.Optional(BackupScope),
  compression: Type.Optional(StringEnum(['gzip', 'zstd'])),
  destinations: Type.Array(Type.String({ pattern: NAME_PATTERN }), { minItems: 1, maxItems: 16, uniqueItems: true }),
  retention: Type.Optional(RetentionSchema),
  jitterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Spread each account\'s start over up to this many seconds after the fire time.' })),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  notifications: Type.Optional(notificationOverrides),
}, { additionalProperties: false });

export const ScheduleRecord = Type.Object({
  id: Type.String(),
  cron: Type.String(),
  timezone: Type.String(),
  target: ScheduleTarget,
  scope: BackupScope,
  compression: StringEnum(['gzip', 'zstd']),
  destinations: Type.Array(Type.String()),
  retention: RetentionSchema,
  jitterSeconds: Type.Optional(Type.Integer()),
  enabled: Type.Boolean(),
  notifications: Type.Optional(notificationOverrides),
  lastFireAt: Nullable(Timestamp),
  nextFireAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const ById = Type.Object({ id: ScheduleId }, { additionalProperties: false });

export const schedulePut = defineMethod({
  name: 'schedule.put', scope: 'admin', summary: 'Create or replace a schedule.',
  params: ScheduleParams, result: ScheduleRecord, errors: ['AGENT_E_INVALID', 'AGENT_E_NOT_FOUND'],
});

export const scheduleGet = defineMethod({
  name: 'schedule.get', scope: 'admin', summary: 'One schedule, with its next 5 fire times.',
  params: ById,
  result: Type.Intersect([ScheduleRecord, Type.Object({ nextFires: Type.Array(Timestamp) })]),
  errors: ['AGENT_E_NOT_FOUND'],
});

export const scheduleList = defineMethod({
  name: 'schedule.list', scope: 'admin', summary: 'Every schedule.',
  params: Type.Object({}, { additionalProperties: false }),
  result: Type.Object({ schedules: Type.Array(ScheduleRecord) }),
  errors: [],
});

export const scheduleDelete = defineMethod({
  name: 'schedule.delete', scope: 'admin', summary: 'Delete a schedule; its snapshots stay.',
  params: ById, result: Type.Object({ deleted: Type.Boolean() }), errors: ['AGENT_E_NOT_FOUND'],
});

export const scheduleRun = defineMethod({
  name: 'schedule.run', scope: 'admin', summary: 'Run a schedule now for every account it covers (no jitter).',
  params: ById,
  result: Type.Object({
    queued: Type.Array(Type.Object({ account: Type.String(), jobId: Type.String() })),
    skipped: Type.Array(Type.String(), { description: 'Accounts whose previous run of this schedule is still queued or running.' }),
    failed: Type.Array(Type.Object({ account: Type.String(), code: Type.String(), message: Type.String() })),
  }),
  errors: ['AGENT_E_NOT_FOUND'],
});
