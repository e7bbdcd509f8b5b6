// Gauges with one series per account and scope, destination or schedule, computed at scrape time
// from where their truth lives: the backup_status and destination_status tables (kept by
// triggers in the state database) and the scheduler's armed fire times. Nothing per account is
// kept in memory between scrapes.
import type { BackupStatusStore } from '../core/backup-status.ts';
import type { ExpositionWriter } from './exposition.ts';

export interface PerItemSources {
  backupStatus: BackupStatusStore;
  /** Each enabled schedule's id and next fire time (ms epoch). */
  scheduleNextRuns(): Iterable<[string, number]>;
}

const FAMILIES = {
  lastSuccess: { name: 'hostagent_account_last_success_timestamp_seconds', help: 'Creation time of the newest snapshot of the account in this scope.' },
  lastAttempt: { name: 'hostagent_account_last_attempt_timestamp_seconds', help: 'Start time of the newest backup job of the account in this scope, whatever its outcome.' },
  destinationSuccess: { name: 'hostagent_destination_last_success_timestamp_seconds', help: 'Time the newest snapshot copy was stored at the destination.' },
  nextRun: { name: 'hostagent_schedule_next_run_timestamp_seconds', help: 'Next time each enabled schedule fires (before jitter).' },
} as const;

const seconds = (ms: number) => ms / 1000;

/** Synchronous on purpose: a statement being iterated keeps the one state connection busy. */
export function writePerItemFamilies(sources: PerItemSources, out: ExpositionWriter): void {
  const f = FAMILIES;
  const accounts = sources.backupStatus.accounts();
  out.family(f.lastSuccess.name, 'gauge', f.lastSuccess.help);
  for (const r of accounts) if (r.lastSuccessAt !== null) out.sample(f.lastSuccess.name, { account: r.account, scope: r.scope }, seconds(r.lastSuccessAt));
  out.family(f.lastAttempt.name, 'gauge', f.lastAttempt.help);
  for (const r of accounts) if (r.lastAttemptAt !== null) out.sample(f.lastAttempt.name, { account: r.account, scope: r.scope }, seconds(r.lastAttemptAt));
  out.family(f.destinationSuccess.name, 'gauge', f.destinationSuccess.help);
  for (const d of sources.backupStatus.destinations()) out.sample(f.destinationSuccess.name, { destination: d.destination }, seconds(d.lastSuccessAt));
  out.family(f.nextRun.name, 'gauge', f.nextRun.help);
  for (const [schedule, at] of sources.scheduleNextRuns()) out.sample(f.nextRun.name, { schedule }, seconds(at));
  out.end();
}
