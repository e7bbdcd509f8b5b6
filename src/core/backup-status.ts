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
  /**
   * Existing accounts' rows (one per scope ever backed up in), ordered by account and scope:
   * up to `limit` of them after `after` (null: from the start). Read page by page, 10,000
   * accounts never sit in memory at once.
   */
  accounts(after: { account: string; scope: string } | null, limit: number): AccountBackupStatus[];
  destinations(): DestinationStatus[];
}
