// What the RPC handlers need from the rest of the daemon. src/app provides it; rpc never
// imports app or state.
import type { Clock } from '../core/clock.ts';
import type { JobQueue } from '../core/jobs/index.ts';
import type { Store } from '../core/store.ts';
import type { EventBus } from '../core/events/event-bus.ts';
import type { BackupOptions, BackupScope, SnapshotRow } from '../core/model.ts';
import type { AgentConfig } from '../config/index.ts';

export interface BackupRequest extends BackupOptions {
  account: string;
  /** tenant: policy applies and the snapshot is temporary; admin: recorded, not limited. */
  trigger: 'tenant' | 'admin' | 'schedule' | 'safety';
}

export interface Estimate {
  bytes: number;
  files: number;
  databases: number;
  mailboxes: number;
  seconds: number;
}

export interface BackupOperations {
  create(req: BackupRequest): Promise<{ jobId: string; snapshotId: string }>;
  estimate(account: string, scope: BackupScope): Promise<Estimate>;
}

export interface SnapshotOperations {
  /** Absolute paths of the archive (or its parts) in the spool. */
  paths(s: SnapshotRow): string[];
  verify(s: SnapshotRow): Promise<{ ok: boolean; sha256: string; files: number; entries: number }>;
  remove(s: SnapshotRow, reason: 'deleted' | 'purged'): Promise<void>;
}

export interface DownloadOperations {
  createLink(s: SnapshotRow, session: string, ttlSeconds: number): { url: string; path: string; expiresAt: number };
}

export interface NotificationOperations {
  /** Throws AGENT_E_NOTIFY_URL naming `${field}.${index}` for the first URL that does not parse. */
  validateUrls(urls: string[] | undefined, field: string): void;
  /** Hides each service's secrets (tokens in paths and hosts too). */
  redactUrl(url: string): string;
  test(url: string, dryRun: boolean): Promise<Record<string, unknown>>;
  history(limit: number): import('../core/store.ts').NotificationDelivery[];
}

export interface DestinationOperations {
  /** Validates a type's settings (AGENT_E_INVALID naming the field); returns them with defaults filled in. */
  validate(type: string, settings: Record<string, unknown>): Record<string, unknown>;
  /** Refuses (AGENT_E_INVALID naming the field) settings that point at nothing on this host, such as a missing local directory. */
  checkTarget(name: string, type: string, settings: Record<string, unknown>): Promise<void>;
  /** The settings with every secret shown as ***. */
  publicSettings(type: string, settings: Record<string, unknown>): Record<string, unknown>;
  /** Writes, reads back and deletes a probe object at a configured destination. */
  test(name: string): Promise<Record<string, unknown>>;
}

export interface ScheduleOperations {
  /** Throws AGENT_E_INVALID naming `cron` or `timezone`. */
  validate(cron: string, timezone: string): void;
  nextFires(cron: string, timezone: string, count: number): number[];
  /** When the running scheduler fires this schedule next (null: disabled or never). */
  nextFireAt(id: string): number | null;
  /** Picks up a schedule after it was put or deleted. */
  refresh(id: string): void;
  runNow(schedule: import('../core/store.ts').ScheduleRow): Promise<{ queued: { account: string; jobId: string }[]; skipped: string[]; failed: { account: string; code: string; message: string }[] }>;
}

export type RestorePartName = 'files' | 'databases' | 'mail' | 'dns';

export interface RestoreRequest {
  snapshotId: string;
  parts?: RestorePartName[];
  target?: { account?: string; mode?: 'in-place' | 'staging'; path?: string };
  /** Admin only: the destination to read the snapshot from. */
  source?: { destination: string };
  /** Set for tenant calls on the panel socket: package policy and approval apply. */
  actor?: { account: string; session: string };
}

export interface RestoreOperations {
  create(req: RestoreRequest): Promise<{ jobId: string; status: 'queued' | 'pending' }>;
  approve(id: string): Promise<{ jobId: string; status: 'queued' }>;
  reject(id: string, reason: string): { jobId: string; status: 'rejected' };
  /** Registers an archive made elsewhere after checking it; it can then be restored. */
  importArchive(path: string, account?: string): Promise<{ snapshotId: string; account: string; bytes: number; files: number }>;
}

export interface RpcServices {
  readonly restores: RestoreOperations;
  readonly destinations: DestinationOperations;
  readonly schedules: ScheduleOperations;
  readonly notifications: NotificationOperations;
  readonly version: string;
  readonly startedAt: number;
  readonly clock: Clock;
  readonly privileged: boolean;
  readonly schemaVersion: number;
  readonly queue: JobQueue;
  readonly store: Store;
  readonly events: EventBus;
  readonly backups: BackupOperations;
  readonly snapshots: SnapshotOperations;
  readonly downloads: DownloadOperations;
  config(): AgentConfig;
  connectionCounts(): { admin: number; panel: number };
  spoolUsage(): { usedBytes: number; freeBytes: number };
  reload(): { ok: boolean; error?: string };
}
