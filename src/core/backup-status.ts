// What monitoring reads about backups, kept in state by the database itself (migration 0004).

export interface AccountBackupStatus {
  account: string;
  scope: string;
  /** ms epoch the newest backup job of this account and scope started; null when none has. */
  lastAttemptAt: number | null;
  /** createdAt of the newest snapshot of this account and scope; null when none was made. */
  lastSuccessAt: number | null;
}

export interface DestinationStatus {
  destination: string;
  /** ms epoch the newest copy was stored there. */
  lastSuccessAt: number;
}

export interface BackupStatusStore {
  /** Every existing account's row per scope it was ever backed up in. */
  accounts(): AccountBackupStatus[];
  destinations(): DestinationStatus[];
}
