// The registry and the metrics fed by events as they happen: finished jobs, destination
// failures, tenant snapshots refused by the daily limit, notification deliveries. They count
// since the daemon started; Prometheus handles the reset at a restart. Labels carry names and
// codes only, never a URL or a setting's value.
import { Counter, Histogram, Registry } from 'prom-client';
import type { JobRecord } from '../core/jobs/index.ts';

const MiB = 1024 * 1024;

export class EventMetrics {
  readonly registry = new Registry();

  readonly #jobs = new Counter({
    name: 'hostagent_jobs_total', help: 'Jobs finished, by kind, status (succeeded, failed, cancelled) and AGENT_E_* code ("" when succeeded).',
    labelNames: ['kind', 'status', 'code'] as const, registers: [this.registry],
  });

  readonly #backupDuration = new Histogram({
    name: 'hostagent_backup_duration_seconds', help: 'Run time of successful backup jobs, from start to the snapshot being recorded.',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800], registers: [this.registry],
  });

  readonly #backupBytes = new Histogram({
    name: 'hostagent_backup_bytes', help: 'Archive size of successful backup jobs.',
    // 1 MiB to 1 TiB, a factor of 4 apart.
    buckets: Array.from({ length: 11 }, (_, i) => MiB * 4 ** i), registers: [this.registry],
  });

  readonly #destinationErrors = new Counter({
    name: 'hostagent_destination_errors_total', help: 'Failed operations at a destination (every attempt, retries included), by destination name and AGENT_E_DEST_* code.',
    labelNames: ['destination', 'code'] as const, registers: [this.registry],
  });

  readonly #rateLimited = new Counter({
    name: 'hostagent_tenant_rate_limited_total', help: 'Tenant snapshots refused by the package\'s daily limit (AGENT_E_RATE_LIMITED).',
    registers: [this.registry],
  });

  readonly #notifications = new Counter({
    name: 'hostagent_notifications_total', help: 'Notifications by service name and outcome once retries are done (sent, failed).',
    labelNames: ['service', 'status'] as const, registers: [this.registry],
  });

  jobFinished(job: JobRecord): void {
    this.#jobs.inc({ kind: job.kind, status: job.status, code: job.errcode ?? '' });
    if (job.kind !== 'backup' || job.status !== 'succeeded') return;
    if (job.startedAt !== null && job.finishedAt !== null) this.#backupDuration.observe((job.finishedAt - job.startedAt) / 1000);
    const bytes = (job.result as { bytes?: unknown } | null)?.bytes;
    if (typeof bytes === 'number') this.#backupBytes.observe(bytes);
  }

  destinationFailed(failure: { destination: string; code: string }): void {
    this.#destinationErrors.inc({ destination: failure.destination, code: failure.code });
  }

  tenantRateLimited(): void {
    this.#rateLimited.inc();
  }

  notificationDelivered(outcome: { service: string; ok: boolean }): void {
    this.#notifications.inc({ service: outcome.service, status: outcome.ok ? 'sent' : 'failed' });
  }
}
