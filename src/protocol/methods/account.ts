import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { NAME_PATTERN, ActorSchema, Timestamp } from '../common.ts';
import { StringEnum } from '../../core/schema.ts';
import { TENANT_REFUSAL_REASONS, TENANT_REFUSAL_MEANINGS } from '../../core/policy/tenant-refusal.ts';
import { notificationOverrides } from '../../config/sections/notifications.ts';

const AbsolutePath = Type.String({ pattern: '^/', minLength: 1, maxLength: 4096 });

export const DatabaseRef = Type.Object({
  engine: StringEnum(['mariadb', 'postgresql']),
  name: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$', description: 'Database name as the server knows it.' }),
}, { additionalProperties: false });

export const MailboxRef = Type.Object({
  address: Type.String({ pattern: '^[^\\s@/]+@[A-Za-z0-9.-]+$', maxLength: 320 }),
  maildir: AbsolutePath,
  owner: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z_][a-z0-9_.-]*$' }), Type.Integer({ minimum: 0 })], { description: 'Unix user (name or uid) the Maildir belongs to; mail is read as this user. Defaults to the account.' })),
  passwordHash: Type.Optional(Type.String({ description: 'The mailbox password hash. Only an Argon2id hash is ever exported.' })),
}, { additionalProperties: false });

export const ZoneRef = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9._-]+$', maxLength: 253 }),
  file: AbsolutePath,
}, { additionalProperties: false });

export const AccountSpec = Type.Object({
  name: Type.String({ pattern: NAME_PATTERN, description: 'The account name (usually the Unix user name).' }),
  uid: Type.Integer({ minimum: 0 }),
  gid: Type.Integer({ minimum: 0 }),
  home: Type.String({ pattern: '^/', description: 'Absolute home directory, owned by uid.' }),
  package: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
  databases: Type.Optional(Type.Array(DatabaseRef, { maxItems: 1000 })),
  mailboxes: Type.Optional(Type.Array(MailboxRef, { maxItems: 10000 })),
  zones: Type.Optional(Type.Array(ZoneRef, { maxItems: 1000 })),
  excludes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 1000, description: 'Globs relative to the home directory.' })),
  docroots: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { maxItems: 100, description: 'Document roots relative to home; the manifest records the git HEAD of each that is a work tree.' })),
  notifications: Type.Optional(notificationOverrides),
}, { additionalProperties: false });

// One object, not an allOf: AccountSpec is closed, so no record could satisfy an allOf with it.
export const AccountRecord = Type.Composite([AccountSpec, Type.Object({ createdAt: Timestamp, updatedAt: Timestamp })]);

export const accountPut = defineMethod({
  name: 'account.put',
  scope: 'admin',
  summary: 'Create or replace a hosting account.',
  description: 'Validates everything at once: the home must be absolute, exist and be owned by uid; every problem is listed in data.problems.',
  params: AccountSpec,
  result: AccountRecord,
  errors: ['AGENT_E_INVALID', 'AGENT_E_NOT_FOUND'],
});

export const accountGet = defineMethod({
  name: 'account.get',
  scope: 'admin',
  summary: 'One account.',
  params: Type.Object({ name: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false }),
  result: AccountRecord,
  errors: ['AGENT_E_NOT_FOUND'],
});

export const accountList = defineMethod({
  name: 'account.list',
  scope: 'admin',
  summary: 'Every account, optionally of one package.',
  params: Type.Object({ package: Type.Optional(Type.String({ pattern: NAME_PATTERN })) }, { additionalProperties: false }),
  result: Type.Object({ accounts: Type.Array(AccountRecord) }),
  errors: [],
});

export const accountDelete = defineMethod({
  name: 'account.delete',
  scope: 'admin',
  summary: 'Forget an account. Its snapshots stay until deleted or purged.',
  params: Type.Object({ name: Type.String({ pattern: NAME_PATTERN }) }, { additionalProperties: false }),
  result: Type.Object({ deleted: Type.Boolean() }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_CONFLICT'],
});

export const accountCapabilities = defineMethod({
  name: 'account.capabilities',
  scope: 'tenant',
  summary: 'What the panel should offer this tenant: whether it may take a snapshot now (and if not, why), and its limits.',
  params: Type.Object({ actor: ActorSchema }, { additionalProperties: false }),
  result: Type.Object({
    canBackup: Type.Boolean({ description: 'Whether backup.create would accept a snapshot for this tenant now.' }),
    reason: Type.Optional(StringEnum(TENANT_REFUSAL_REASONS, {
      description: `Only when canBackup is false: why, as a stable code. ${TENANT_REFUSAL_REASONS.map((r) => `\`${r}\`: ${TENANT_REFUSAL_MEANINGS[r]}`).join(' ')}`,
    })),
    message: Type.Optional(Type.String({ description: 'Only when canBackup is false: the reason as a sentence, the same one backup.create would fail with.' })),
    perDay: Type.Integer(),
    usedToday: Type.Integer(),
    nextAllowedAt: Type.Union([Timestamp, Type.Null()], { description: 'When the next tenant snapshot is allowed; null when one is allowed now (or never).' }),
    maxBytes: Type.Integer(),
    downloadTtlSeconds: Type.Integer(),
  }),
  errors: ['AGENT_E_NOT_FOUND'],
  examples: [
    {
      name: 'allowed',
      description: 'The package allows one tenant snapshot a day and none was taken: show the button.',
      params: { actor: { account: 'shop', session: 'panel-session-7f3a9c' } },
      result: { canBackup: true, perDay: 1, usedToday: 0, nextAllowedAt: null, maxBytes: 107374182400, downloadTtlSeconds: 900 },
    },
    {
      name: 'refused',
      description: 'The account\'s package does not allow tenant snapshots: hide the button, or show the message.',
      params: { actor: { account: 'blog', session: 'panel-session-0b41d2' } },
      result: {
        canBackup: false,
        reason: 'package-disallows',
        message: 'the package basic of account blog does not allow tenant snapshots',
        perDay: 1,
        usedToday: 0,
        nextAllowedAt: null,
        maxBytes: 107374182400,
        downloadTtlSeconds: 900,
      },
    },
  ],
});
