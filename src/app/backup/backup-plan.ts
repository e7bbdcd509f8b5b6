import os from 'node:os';
import type { AccountRow, BackupScope } from '../../core/model.ts';

export type Part = 'files' | 'databases' | 'mail' | 'dns';

/** What each scope puts in the archive (DESIGN.md section 3, after Plesk's backup flags). */
export const SCOPE_PARTS: Record<BackupScope, readonly Part[]> = {
  full: ['files', 'databases', 'mail', 'dns'],
  hosting: ['files', 'databases', 'dns'],
  mail: ['mail'],
  // The account and database definitions travel in the manifest (`account`), which every scope has.
  configuration: ['dns'],
};

export const ARCHIVE_FORMAT = 'hostagent-account-full/1';

/** The account's definition without secrets; in every manifest, so a restore elsewhere knows the account. */
export function accountDefinition(a: AccountRow): Record<string, unknown> {
  return {
    name: a.name, uid: a.uid, gid: a.gid, home: a.home, package: a.package ?? null,
    databases: a.databases ?? [],
    mailboxes: (a.mailboxes ?? []).map((m) => ({ address: m.address, maildir: m.maildir, owner: m.owner ?? null })),
    zones: (a.zones ?? []).map((z) => ({ name: z.name })),
    excludes: a.excludes ?? [],
    docroots: a.docroots ?? [],
  };
}

export interface ManifestInput {
  account: AccountRow;
  snapshotId: string;
  createdAt: number;
  scope: BackupScope;
  trigger: string;
  note: string | null;
  compression: 'gzip' | 'zstd';
  agentVersion: string;
  gitHeads: Record<string, { ref: string | null; commit: string | null }>;
}

export function buildManifest(m: ManifestInput): Record<string, unknown> {
  return {
    format: ARCHIVE_FORMAT,
    kind: 'account_full',
    username: m.account.name,
    snapshotId: m.snapshotId,
    createdAt: new Date(m.createdAt).toISOString(),
    host: os.hostname(),
    agentVersion: m.agentVersion,
    trigger: m.trigger,
    note: m.note,
    scope: m.scope,
    parts: SCOPE_PARTS[m.scope],
    compression: m.compression,
    exclusions: { account: m.account.excludes ?? [], always: ['.ssh/* except .ssh/authorized_keys', 'sockets, FIFOs and devices'] },
    databases: SCOPE_PARTS[m.scope].includes('databases') ? (m.account.databases ?? []) : [],
    mailboxes: SCOPE_PARTS[m.scope].includes('mail') ? (m.account.mailboxes ?? []).map((b) => b.address) : [],
    zones: SCOPE_PARTS[m.scope].includes('dns') ? (m.account.zones ?? []).map((z) => z.name) : [],
    docroots: m.gitHeads,
    account: accountDefinition(m.account),
  };
}
