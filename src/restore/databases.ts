// Loads a plain SQL dump into a database through the real client, never with the admin
// credentials: the admin only drops and recreates the target (in place, or under its staging
// name) and a short-lived login that can act as the database's owner and nothing more
// (postgresql-restore.ts, mariadb-restore.ts). Credentials travel in 0600 files.
export { type DatabaseRestore } from './feed-sql.ts';
export { restorePostgresql } from './postgresql-restore.ts';
export { restoreMariadb } from './mariadb-restore.ts';
export { dropLeftoverRestoreLogins } from './restore-login-recovery.ts';

/** `<db>_restore_<yyyymmddhhmmss>`, shortened at the front to fit the 64-character limit. */
export function stagingDatabaseName(db: string, stamp: string): string {
  const suffix = `_restore_${stamp}`;
  return db.slice(0, 63 - suffix.length) + suffix;
}
