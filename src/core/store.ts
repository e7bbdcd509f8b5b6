// What the domain needs from persistence. src/state implements it on SQLite.
import type { NotificationOverrides, AccountRow, AccountSpec, PackageRow, PackageSettings, SnapshotLocation, SnapshotRow } from './model.ts';
import type { JobStore } from './jobs/job.ts';
import type { RetentionPolicy } from './retention.ts';

export interface PackageStore {
  put(name: string, settings: PackageSettings, now: number): PackageRow;
  get(name: string): PackageRow | null;
  list(): PackageRow[];
  delete(name: string): boolean;
}

export interface AccountStore {
  put(spec: AccountSpec, now: number): AccountRow;
  get(name: string): AccountRow | null;
  list(filter?: { package?: string }): AccountRow[];
  delete(name: string): boolean;
}

export interface SnapshotStore {
  insert(s: Omit<SnapshotRow, 'locations' | 'status'>): SnapshotRow;
  get(id: string): SnapshotRow | null;
  list(account: string): SnapshotRow[];
  expired(now: number): SnapshotRow[];
  knownParts(): Set<string>;
  setExpiry(id: string, expiresAt: number | null): void;
  addLocation(id: string, loc: SnapshotLocation): void;
  delete(id: string): boolean;
}

export interface RateLedgerStore {
  /** Returns the entry's id, so a reservation can be attached to its job or released. */
  record(account: string, actor: 'tenant' | 'admin', jobId: string | null, at: number): number;
  attachJob(id: number, jobId: string): void;
  remove(id: number): void;
  tenantSince(account: string, since: number): number[];
  reset(account: string): number;
  /** Runs fn atomically: check-then-record of the daily limit must not interleave. */
  transaction<T>(fn: () => T): T;
}

export interface DownloadLinkRow {
  tokenHash: string;
  snapshotId: string;
  account: string;
  sessionHash: string;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

export interface DownloadLinkStore {
  insert(l: Omit<DownloadLinkRow, 'completedAt'>): void;
  get(tokenHash: string): DownloadLinkRow | null;
  markCompleted(tokenHash: string, at: number): boolean;
  downloadedAndExpired(now: number): string[];
  deleteExpiredBefore(at: number): number;
}

export interface NotificationDelivery {
  at: number;
  /** With its secrets shown as ***. */
  url: string;
  service: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  jobId: string | null;
}

export interface NotificationStore {
  record(d: NotificationDelivery): void;
  recent(limit: number): NotificationDelivery[];
  /** Keeps the newest `keep` rows. */
  trim(keep: number): void;
}

export interface DestinationRow {
  name: string;
  type: string;
  /** As validated; holds secrets, so only publicSettings() of it leaves the daemon. */
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface DestinationStore {
  put(name: string, type: string, settings: Record<string, unknown>, now: number): DestinationRow;
  get(name: string): DestinationRow | null;
  list(): DestinationRow[];
  delete(name: string): boolean;
  /** Ids of the schedules that name this destination. */
  usedBy(name: string): string[];
  /** Every copy of a snapshot at one destination gets this status. */
  setLocationStatus(snapshotId: string, destination: string, status: 'stored' | 'pending_deletion'): void;
  dropLocations(snapshotId: string, destination: string): void;
}

export type ScheduleTarget = { account: string } | { package: string } | { all: true };

export interface ScheduleSpec {
  id: string;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  scope: 'full' | 'hosting' | 'mail' | 'configuration';
  compression: 'gzip' | 'zstd';
  destinations: string[];
  retention: RetentionPolicy;
  /** Unset: the scheduler section's default applies. */
  jitterSeconds?: number;
  enabled: boolean;
  notifications?: NotificationOverrides;
}

export interface ScheduleRow extends ScheduleSpec {
  lastFireAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleRun {
  scheduleId: string;
  account: string;
  jobId: string;
  snapshotId: string | null;
  firedAt: number;
}

/** What the scheduler needs to know when a schedule fires next, without the whole spec. */
export interface ScheduleTiming {
  id: string;
  cron: string;
  timezone: string;
  lastFireAt: number | null;
  updatedAt: number;
}

export interface ScheduleStore {
  put(spec: ScheduleSpec, now: number): ScheduleRow;
  /** Enabled schedules, streamed: a host may hold tens of thousands. */
  enabledTimings(): Iterable<ScheduleTiming>;
  get(id: string): ScheduleRow | null;
  list(): ScheduleRow[];
  delete(id: string): boolean;
  setLastFire(id: string, at: number): void;
  recordRun(run: ScheduleRun): void;
  lastRun(scheduleId: string, account: string): ScheduleRun | null;
  runOfJob(jobId: string): ScheduleRun | null;
  /** Snapshot ids this schedule produced for the account, still listed. */
  snapshotIds(scheduleId: string, account: string): string[];
}

/** A restore a tenant asked for, waiting for an admin; approved, its job gets the same id. */
export interface RestoreRequestRow {
  id: string;
  account: string;
  snapshotId: string;
  params: Record<string, unknown>;
  actor: Record<string, unknown> | null;
  status: 'pending' | 'approved' | 'rejected';
  reason: string | null;
  createdAt: number;
  decidedAt: number | null;
}

export interface RestoreRequestStore {
  insert(r: Omit<RestoreRequestRow, 'status' | 'reason' | 'decidedAt'>): RestoreRequestRow;
  get(id: string): RestoreRequestRow | null;
  pending(): RestoreRequestRow[];
  /** How many wait for an admin, for agent.status. */
  countPending(): number;
  /** Requests that are not jobs (pending or rejected), newest first, for job.list. */
  undecided(q: { account?: string; status?: 'pending' | 'rejected'; limit: number }): RestoreRequestRow[];
  decide(id: string, status: 'approved' | 'rejected', reason: string | null, at: number): boolean;
}

export interface Store {
  restoreRequests: RestoreRequestStore;
  destinations: DestinationStore;
  schedules: ScheduleStore;
  notifications: NotificationStore;
  downloadLinks: DownloadLinkStore;
  packages: PackageStore;
  accounts: AccountStore;
  snapshots: SnapshotStore;
  rateLedger: RateLedgerStore;
  jobs: JobStore;
}
