import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, Timestamp } from '../common.ts';
import { StringEnum } from '../../core/schema.ts';
import { notificationOverrides } from '../../config/sections/notifications.ts';

export const TenantBackupPolicy = Type.Object({
  enabled: Type.Boolean({ default: false, description: 'Whether tenants may take snapshots on demand.' }),
  perDay: Type.Integer({ minimum: 0, maximum: 1000, default: 1, description: 'Tenant snapshots per sliding 24-hour window.' }),
  maxBytes: Type.Integer({ minimum: 0, default: 100 * 1024 ** 3, description: 'Largest account (by estimate) a tenant may snapshot on demand.' }),
}, { additionalProperties: false, default: {} });

export const PackageSpec = Type.Object({
  name: Type.String({ pattern: NAME_PATTERN }),
  tenantBackups: TenantBackupPolicy,
  downloadTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 900, description: 'Lifetime of download links.' }),
  tenantRestore: StringEnum(['approval', 'auto', 'disabled'], { default: 'approval', description: 'Tenant restores wait for an admin, run at once, or are refused.' }),
  notifications: Type.Optional(notificationOverrides),
}, { additionalProperties: false });

// One object, not an allOf: PackageSpec is closed, so no record could satisfy an allOf with it.
export const PackageRecord = Type.Composite([PackageSpec, Type.Object({ createdAt: Timestamp, updatedAt: Timestamp, accounts: Type.Integer() })]);

const ByName = Type.Object({ name: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false });

export const packagePut = defineMethod({
  name: 'package.put',
  scope: 'admin',
  summary: 'Create or replace a package (plan); omitted fields take their defaults.',
  params: Type.Object({
    name: Type.String({ pattern: NAME_PATTERN }),
    tenantBackups: Type.Optional(Type.Partial(TenantBackupPolicy)),
    downloadTtlSeconds: Type.Optional(PackageSpec.properties.downloadTtlSeconds),
    tenantRestore: Type.Optional(PackageSpec.properties.tenantRestore),
    notifications: Type.Optional(notificationOverrides),
  }, { additionalProperties: false }),
  result: PackageRecord,
  errors: ['AGENT_E_INVALID'],
});

export const packageGet = defineMethod({ name: 'package.get', scope: 'admin', summary: 'One package.', params: ByName, result: PackageRecord, errors: ['AGENT_E_NOT_FOUND'] });

export const packageList = defineMethod({
  name: 'package.list', scope: 'admin', summary: 'Every package.',
  params: Type.Object({}, { additionalProperties: false }),
  result: Type.Object({ packages: Type.Array(PackageRecord) }),
  errors: [],
});

export const packageDelete = defineMethod({
  name: 'package.delete', scope: 'admin', summary: 'Delete a package no account uses.',
  params: ByName, result: Type.Object({ deleted: Type.Boolean() }), errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT'],
});
