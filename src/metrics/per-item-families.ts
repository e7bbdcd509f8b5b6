// Gauges with one series per account and scope, destination or schedule, computed at scrape time
// from where their truth lives: the backup_status and destination_status tables (kept by
// triggers in the state database) and the scheduler's armed fire times. Nothing per account is
// kept in memory between scrapes.
import type { AccountBackupStatus, BackupStatusStore } from '../core/backup-status.ts';
import { ExpositionWriter } from './exposition.ts';

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

/** Rows read per query: small enough to die young while the sender waits between chunks. */
const PAGE_ROWS = 500;

function* accountRows(store: BackupStatusStore): Generator<AccountBackupStatus> {
  for (let page = store.accounts(null, PAGE_ROWS); page.length; page = store.accounts(page[page.length - 1]!, PAGE_ROWS)) yield* page;
}

/**
 * The families' text in chunks, each made when the sender asks for it. Queries are read whole
 * (.all()), a page at a time: a statement left open across the sender's awaits would keep the
 * daemon's one state connection busy.
 */
export function* perItemChunks(sources: PerItemSources): Generator<Buffer> {
  const f = FAMILIES;
  const out = new ExpositionWriter();
  out.family(f.lastSuccess.name, 'gauge', f.lastSuccess.help);
  for (const r of accountRows(sources.backupStatus)) {
    if (r.lastSuccessAt !== null) out.sample2(f.lastSuccess.name, 'account', r.account, 'scope', r.scope, seconds(r.lastSuccessAt));
    if (out.full) yield out.take();
  }
  out.family(f.lastAttempt.name, 'gauge', f.lastAttempt.help);
  for (const r of accountRows(sources.backupStatus)) {
    if (r.lastAttemptAt !== null) out.sample2(f.lastAttempt.name, 'account', r.account, 'scope', r.scope, seconds(r.lastAttemptAt));
    if (out.full) yield out.take();
  }
  out.family(f.destinationSuccess.name, 'gauge', f.destinationSuccess.help);
  for (const d of sources.backupStatus.destinations()) {
    out.sample1(f.destinationSuccess.name, 'destination', d.destination, seconds(d.lastSuccessAt));
    if (out.full) yield out.take();
  }
  out.family(f.nextRun.name, 'gauge', f.nextRun.help);
  for (const [schedule, at] of sources.scheduleNextRuns()) {
    out.sample1(f.nextRun.name, 'schedule', schedule, seconds(at));
    if (out.full) yield out.take();
  }
  yield out.take();
}
