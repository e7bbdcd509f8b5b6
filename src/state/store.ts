import type { Store } from '../core/store.ts';
import type { Db } from './database.ts';
import { AccountsRepo } from './accounts-repo.ts';
import { JobsRepo } from './jobs-repo.ts';
import { PackagesRepo } from './packages-repo.ts';
import { RateLedgerRepo } from './rate-ledger-repo.ts';
import { SnapshotsRepo } from './snapshots-repo.ts';
import { DownloadLinksRepo } from './download-links-repo.ts';
import { NotificationsRepo } from './notifications-repo.ts';
import { DestinationsRepo } from './destinations-repo.ts';
import { SchedulesRepo } from './schedules-repo.ts';
import { RestoreRequestsRepo } from './restore-requests-repo.ts';

export function openStore(db: Db): Store {
  return {
    packages: new PackagesRepo(db),
    accounts: new AccountsRepo(db),
    snapshots: new SnapshotsRepo(db),
    rateLedger: new RateLedgerRepo(db),
    jobs: new JobsRepo(db),
    downloadLinks: new DownloadLinksRepo(db),
    notifications: new NotificationsRepo(db),
    destinations: new DestinationsRepo(db),
    schedules: new SchedulesRepo(db),
    restoreRequests: new RestoreRequestsRepo(db),
  };
}
