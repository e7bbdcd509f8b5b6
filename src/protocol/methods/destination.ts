import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, Timestamp } from '../common.ts';
import { StringEnum } from '../../core/schema.ts';
import { DESTINATION_TYPES } from '../../storage/settings.ts';

const DestinationName = Type.String({ pattern: NAME_PATTERN, description: 'The name schedules and backup.create refer to.' });

export const DestinationRecord = Type.Object({
  name: Type.String(),
  type: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'The settings, every secret shown as "***".' }),
  usedBy: Type.Array(Type.String(), { description: 'Schedules that copy to this destination.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const ByName = Type.Object({ name: DestinationName }, { additionalProperties: false });

export const destinationPut = defineMethod({
  name: 'destination.put',
  scope: 'admin',
  summary: 'Create or replace an off-host destination.',
  description: 'Besides name and type, the params are the settings of that type; they are validated and secrets are never shown back.',
  params: Type.Object({ name: DestinationName, type: StringEnum(DESTINATION_TYPES) }, { additionalProperties: true }),
  result: DestinationRecord,
  errors: ['AGENT_E_INVALID'],
  examples: [
    {
      name: 'local',
      description: 'A mounted remote filesystem. docs/destinations.md lists every type\'s settings.',
      params: { name: 'offsite', type: 'local', directory: '/mnt/backup/hostagent' },
      result: { name: 'offsite', type: 'local', settings: { directory: '/mnt/backup/hostagent', create: false, requireMountpoint: false }, usedBy: [], createdAt: '2026-11-22T10:00:00.000Z', updatedAt: '2026-11-22T10:00:00.000Z' },
    },
    {
      name: 's3',
      description: 'Secrets, and keys named like one (accessKeyId), are accepted but shown back as "***".',
      params: { name: 'offsite-s3', type: 's3', bucket: 'backups', endpoint: 's3.example.com', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      result: {
        name: 'offsite-s3',
        type: 's3',
        settings: { bucket: 'backups', path: '', accessKeyId: '***', secretAccessKey: '***', endpoint: 's3.example.com', protocol: 'https', insecure: false, partSizeMB: 16, region: 'us-east-1', forcePathStyle: false },
        usedBy: [],
        createdAt: '2026-11-22T10:00:00.000Z',
        updatedAt: '2026-11-22T10:00:00.000Z',
      },
    },
  ],
});

export const destinationGet = defineMethod({ name: 'destination.get', scope: 'admin', summary: 'One destination.', params: ByName, result: DestinationRecord, errors: ['AGENT_E_NOT_FOUND'] });

export const destinationList = defineMethod({
  name: 'destination.list', scope: 'admin', summary: 'Every destination.',
  params: Type.Object({}, { additionalProperties: false }),
  result: Type.Object({ destinations: Type.Array(DestinationRecord) }),
  errors: [],
});

export const destinationDelete = defineMethod({
  name: 'destination.delete', scope: 'admin', summary: 'Delete a destination no schedule uses (copies already there stay).',
  params: ByName, result: Type.Object({ deleted: Type.Boolean() }), errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT'],
});

export const destinationTest = defineMethod({
  name: 'destination.test', scope: 'admin', summary: 'Write, read back and delete a probe object; reports each step and the latency.',
  params: ByName,
  result: Type.Object({
    destination: Type.String(),
    type: Type.String(),
    ok: Type.Boolean(),
    latencyMs: Type.Number(),
    code: Type.Optional(Type.String({ description: 'The first failure\'s AGENT_E_DEST_* code.' })),
    steps: Type.Array(Type.Object({
      step: StringEnum(['put', 'get', 'delete']),
      ok: Type.Boolean(),
      ms: Type.Number(),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    })),
  }),
  errors: ['AGENT_E_NOT_FOUND'],
});
