import os from 'node:os';
import { AgentError } from '../errors/index.ts';
import type { AgentConfig } from '../config/index.ts';
import type { JobRecord } from '../core/jobs/index.ts';
import type { Store } from '../core/store.ts';
import type { Logger } from '../system/logger.ts';
import { createNotifier, effectiveNotificationTargets, parseNotificationUrl, redactNotificationUrl, sendOptionsFromConfig, testNotification, type Notifier } from '../notify/index.ts';
import type { NotificationOperations } from '../rpc/services.ts';

const HISTORY_ROWS = 10_000;

/** Throws AGENT_E_CONFIG naming the first notification URL that does not parse. */
export function validateNotificationConfig(cfg: AgentConfig, source?: string): void {
  cfg.notifications.urls.forEach((u, i) => {
    try {
      parseNotificationUrl(u);
    } catch (err) {
      throw new AgentError('AGENT_E_CONFIG', `${source ? `${source}: ` : ''}notifications.urls.${i}: ${(err as Error).message}`, { data: { field: `notifications.urls.${i}` } });
    }
  });
}

/**
 * The daemon's notifications: a notifier built from the current config (rebuilt on reload),
 * every delivery try stored for notify.history, and job outcomes turned into notices.
 */
export class NotificationCenter implements NotificationOperations {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #delivered: ((outcome: { service: string; ok: boolean }) => void) | undefined;
  #config: AgentConfig;
  #notifier: Notifier;

  /** `delivered` hears how each delivery ended (metrics). */
  constructor(store: Store, config: AgentConfig, log: Logger, delivered?: (outcome: { service: string; ok: boolean }) => void) {
    this.#store = store;
    this.#log = log;
    this.#config = config;
    this.#delivered = delivered;
    this.#notifier = this.#create(config);
  }

  #create(config: AgentConfig): Notifier {
    return createNotifier({
      config: config.notifications,
      log: this.#log,
      record: (a) => {
        this.#store.notifications.record({ at: Date.parse(a.at), url: a.url, service: a.service, attempt: a.attempt, ok: a.ok, status: a.status ?? null, error: a.error ?? null, jobId: a.jobId ?? null });
        if (Math.random() < 0.01) this.#store.notifications.trim(HISTORY_ROWS);
      },
      delivered: this.#delivered,
    });
  }

  reconfigure(config: AgentConfig): void {
    this.#config = config;
    this.#notifier = this.#create(config);
  }

  /** Queues the notices of a finished job and returns the rendered message for the job.finished event. */
  jobFinished(job: JobRecord): { title: string; body: string; level?: string } | null {
    if (!job.account || (job.status !== 'succeeded' && job.status !== 'failed' && job.status !== 'cancelled')) return null;
    const result = (job.result ?? {}) as { bytes?: number };
    const destinations = (job.params as { destinations?: string[] }).destinations ?? [];
    const { message } = this.#notifier.notify({
      outcome: job.status, account: job.account, kind: job.kind, trigger: job.trigger, jobId: job.id, snapshotId: job.snapshotId,
      sizeBytes: result.bytes ?? null, durationMs: job.finishedAt && job.startedAt ? job.finishedAt - job.startedAt : null,
      destinations, warnings: job.warnings.length, errorCode: job.errcode, errorText: job.errtext,
    }, ...this.#overrides(job.account, (job.params as { schedule?: string }).schedule));
    return { title: message.title, body: message.body, level: message.level };
  }

  /**
   * A notice that is not a job's outcome (retention refusing to prune): sent to the same URLs a
   * run of that account and schedule notifies, whatever the level, since it needs an admin's eye.
   */
  notice(n: { title: string; body: string; level: 'error' | 'info'; account: string; scheduleId?: string; jobId?: string }): void {
    try {
      const { urls } = effectiveNotificationTargets({ urls: this.#config.notifications.urls, level: 'info' }, ...this.#overrides(n.account, n.scheduleId));
      this.#notifier.send(urls, { title: `[${os.hostname()}] ${n.title}`, body: n.body, level: n.level }, { jobId: n.jobId, account: n.account });
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'notifications: could not queue a notice');
    }
  }

  /** The package's, account's and (for a scheduled run) schedule's URLs and level, in that order. */
  #overrides(accountName: string, scheduleId: string | undefined) {
    const account = this.#store.accounts.get(accountName);
    const pkg = account?.package ? this.#store.packages.get(account.package) : null;
    return [pkg?.notifications, account?.notifications, scheduleId ? this.#store.schedules.get(scheduleId)?.notifications : undefined];
  }

  validateUrls(urls: string[] | undefined, field: string): void {
    urls?.forEach((u, i) => {
      try {
        parseNotificationUrl(u);
      } catch (err) {
        if (err instanceof AgentError) throw new AgentError(err.code, `${field}.${i}: ${err.message}`, { data: { ...err.data, field: `${field}.${i}` } });
        throw err;
      }
    });
  }

  redactUrl(url: string): string {
    return redactNotificationUrl(url);
  }

  test(url: string, dryRun: boolean): Promise<Record<string, unknown>> {
    return testNotification(url, { dryRun, ...sendOptionsFromConfig(this.#config.notifications) }) as Promise<Record<string, unknown>>;
  }

  history(limit: number) {
    return this.#store.notifications.recent(limit);
  }

  idle(): Promise<void> {
    return this.#notifier.idle();
  }
}
