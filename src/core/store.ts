// What the domain needs from persistence. src/state implements it on SQLite.
import type { AccountRow, AccountSpec, PackageRow, PackageSettings, SnapshotLocation, SnapshotRow } from './model.ts';
import type { JobStore } from './jobs/job.ts';

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

export interface Store {
  notifications: NotificationStore;
  downloadLinks: DownloadLinkStore;
  packages: PackageStore;
  accounts: AccountStore;
  snapshots: SnapshotStore;
  rateLedger: RateLedgerStore;
  jobs: JobStore;
}
