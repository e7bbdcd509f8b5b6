// The domain records every layer shares. src/state stores them; src/rpc shows them.

/** URLs added to the global notification list, and a level that replaces the global one. */
export interface NotificationOverrides {
  urls?: string[];
  level?: 'error' | 'info';
}

export interface PackageSettings {
  tenantBackups: { enabled: boolean; perDay: number; maxBytes: number };
  downloadTtlSeconds: number;
  tenantRestore: 'approval' | 'auto' | 'disabled';
  notifications?: NotificationOverrides;
}

export interface PackageRow extends PackageSettings {
  name: string;
  createdAt: number;
  updatedAt: number;
  accounts: number;
}

/** The policy an account without a package gets: no tenant self-service. */
export const DEFAULT_PACKAGE: PackageSettings = {
  tenantBackups: { enabled: false, perDay: 1, maxBytes: 100 * 1024 ** 3 },
  downloadTtlSeconds: 900,
  tenantRestore: 'approval',
};

export interface AccountSpec {
  name: string;
  uid: number;
  gid: number;
  home: string;
  package?: string;
  databases?: { engine: 'mariadb' | 'postgresql'; name: string }[];
  mailboxes?: { address: string; maildir: string; owner?: string | number; passwordHash?: string }[];
  zones?: { name: string; file: string }[];
  excludes?: string[];
  docroots?: string[];
  notifications?: NotificationOverrides;
}

export interface AccountRow extends AccountSpec {
  createdAt: number;
  updatedAt: number;
}

export interface SnapshotLocation {
  destination: string;
  object: string;
  bytes: number;
  status: 'stored' | 'pending_deletion';
  storedAt: number;
}

export interface SnapshotRow {
  id: string;
  account: string;
  kind: string;
  scope: string;
  status: 'complete' | 'deleting';
  trigger: string;
  jobId: string | null;
  note: string | null;
  compression: 'gzip' | 'zstd';
  bytes: number;
  sha256: string;
  files: number;
  /** Archive file names in the spool, in order. */
  parts: string[];
  manifest: Record<string, unknown>;
  temporary: boolean;
  createdAt: number;
  expiresAt: number | null;
  locations: SnapshotLocation[];
}

export type BackupScope = 'full' | 'hosting' | 'mail' | 'configuration';

/** What a snapshot is made of and where it goes: asked for by a caller, carried by the job. */
export interface BackupOptions {
  scope: BackupScope;
  compression: 'gzip' | 'zstd';
  /** Bytes per part; absent for one archive file. */
  splitSize?: number;
  note?: string;
  prefix?: string;
  destinations?: string[];
  /** The schedule that queued the run, for its retention. */
  schedule?: string;
}
