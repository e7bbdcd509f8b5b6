export { openState, SCHEMA_VERSION, type Db, type OpenedState } from './database.ts';
export { JobsRepo } from './jobs-repo.ts';
export { PackagesRepo } from './packages-repo.ts';
export { AccountsRepo } from './accounts-repo.ts';
export { SnapshotsRepo } from './snapshots-repo.ts';
export { RateLedgerRepo } from './rate-ledger-repo.ts';
export { openStore } from './store.ts';
export { BackupStatusRepo } from './backup-status-repo.ts';
