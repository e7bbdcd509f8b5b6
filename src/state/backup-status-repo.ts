import type { Db } from './database.ts';
import type { AccountBackupStatus, BackupStatusStore, DestinationStatus } from '../core/backup-status.ts';

/** Reads the tables the triggers of migration 0004 keep; one query each, whatever the number of accounts. */
export class BackupStatusRepo implements BackupStatusStore {
  readonly #accounts;
  readonly #destinations;

  constructor(db: Db) {
    // Joined with accounts and destinations so nothing deleted lingers.
    this.#accounts = db.prepare(`SELECT b.account, b.scope, b.last_attempt_at AS lastAttemptAt, b.last_success_at AS lastSuccessAt
      FROM backup_status b JOIN accounts a ON a.name = b.account
      WHERE (b.account, b.scope) > (?, ?) ORDER BY b.account, b.scope LIMIT ?`);
    this.#destinations = db.prepare(`SELECT s.destination, s.last_success_at AS lastSuccessAt
      FROM destination_status s JOIN destinations d ON d.name = s.destination`);
  }

  accounts(after: { account: string; scope: string } | null, limit: number): AccountBackupStatus[] {
    return this.#accounts.all(after?.account ?? '', after?.scope ?? '', limit) as AccountBackupStatus[];
  }

  destinations(): DestinationStatus[] {
    return this.#destinations.all() as DestinationStatus[];
  }
}
