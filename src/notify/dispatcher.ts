// The notifier the daemon holds: renders a finished job, picks its targets and delivers in the
// background. notify() returns at once; nothing it does can throw into, slow down or fail a job.
import type { NotificationsConfig } from '../config/sections/notifications.ts';
import { parseNotificationUrl, redactNotificationUrl } from './registry.ts';
import { deliver, type SendOptions } from './send.ts';
import { sendOptionsFromConfig } from './options.ts';
import { effectiveNotificationTargets, shouldNotify, type NotificationOverrides } from './targets.ts';
import { renderJobNotification, type JobOutcome } from './templates.ts';
import type { DeliveryAttempt, NotifyMessage } from './types.ts';

export interface NotifierLog {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What a notice is about: tags its recorded attempts and the log line of a failed delivery. */
export interface NoticeSubject {
  jobId?: string;
  account?: string;
}

export interface NotifierOptions {
  config: NotificationsConfig;
  log?: NotifierLog;
  /** Called after every try of every delivery, so the daemon can store it (notify.history). */
  record?: (attempt: DeliveryAttempt) => void;
  /**
   * Called once per URL and message with how its delivery ended, retries done (metrics).
   * `service` is the service's name, or "invalid" for a URL that does not parse: never the URL.
   */
  delivered?: (outcome: { service: string; ok: boolean }) => void;
  /** Tests only: transport overrides (endpointOverride, ca). */
  send?: Pick<SendOptions, 'endpointOverride' | 'ca'>;
}

export interface Notifier {
  /**
   * Queues notices for a finished job and returns at once. `overrides` are the package's,
   * account's and schedule's (in that order). Returns the rendered message (for the
   * `job.finished` event) and how many URLs were queued.
   */
  notify(job: JobOutcome, ...overrides: Array<NotificationOverrides | null | undefined>): { message: NotifyMessage; queued: number };
  /** Sends an already rendered message to the given URLs in the background. */
  send(urls: string[], message: NotifyMessage, subject?: NoticeSubject): number;
  /** Resolves when every queued delivery has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { config } = options;
  const pending = new Set<Promise<void>>();
  let base: SendOptions;
  try {
    base = sendOptionsFromConfig(config);
  } catch (err) {
    // A bad caFile must not stop notifications altogether: the system CAs still serve most services.
    options.log?.warn({ err: (err as Error).message }, 'notifications: using the system CAs only');
    base = sendOptionsFromConfig({ ...config, caFile: null });
  }
  if (options.send?.ca !== undefined) base.ca = options.send.ca;
  const record = (a: DeliveryAttempt, jobId: string | undefined) => {
    try {
      options.record?.(jobId === undefined ? a : { ...a, jobId });
    } catch (err) {
      options.log?.warn({ err: (err as Error).message }, 'notifications: recording a delivery attempt failed');
    }
  };

  // A notice that never arrives is a failure an admin must see in the journal, as a job's is.
  const failed = (subject: NoticeSubject, f: { url: string; service: string; code: string; summary: string; status?: number }) => {
    options.log?.error({ jobId: subject.jobId ?? null, account: subject.account ?? null, ...f }, `notification not delivered: ${f.url}: ${f.code}: ${f.summary}`);
  };

  const delivered = (service: string, ok: boolean) => {
    try {
      options.delivered?.({ service, ok });
    } catch (err) {
      options.log?.warn({ err: (err as Error).message }, 'notifications: counting a delivery failed');
    }
  };

  const sendOne = async (url: string, message: NotifyMessage, subject: NoticeSubject): Promise<void> => {
    let parsed;
    try {
      parsed = parseNotificationUrl(url);
    } catch (err) {
      const redacted = redactNotificationUrl(url);
      const service = redacted.split(':')[0] ?? '';
      record({ url: redacted, service, attempt: 1, ok: false, error: (err as Error).message, at: new Date().toISOString() }, subject.jobId);
      failed(subject, { url: redacted, service, code: (err as { code?: string }).code ?? 'AGENT_E_NOTIFY_URL', summary: (err as Error).message });
      delivered('invalid', false);
      return;
    }
    const result = await deliver(parsed, message, { ...base, endpointOverride: options.send?.endpointOverride, onAttempt: (a) => record(a, subject.jobId) });
    if (!result.ok) failed(subject, { url: parsed.redactedUrl, service: parsed.service, code: result.code ?? 'AGENT_E_NOTIFY_SEND', summary: result.error ?? 'not delivered', ...(result.status !== undefined ? { status: result.status } : {}) });
    delivered(parsed.service, result.ok);
  };

  const send = (urls: string[], message: NotifyMessage, subject: NoticeSubject = {}): number => {
    for (const url of urls) {
      // Started on a later turn of the event loop so not even URL parsing runs on the caller's time.
      const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => sendOne(url, message, subject))
        .catch((err: unknown) => failed(subject, { url: redactNotificationUrl(url), service: '', code: 'AGENT_E_INTERNAL', summary: String((err as Error)?.message ?? err) }))
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    return urls.length;
  };

  return {
    notify(job, ...overrides) {
      const message = renderJobNotification(job, config.templates);
      try {
        const targets = effectiveNotificationTargets({ urls: config.urls, level: config.level }, ...overrides);
        if (!shouldNotify(targets.level, job.outcome)) return { message, queued: 0 };
        return { message, queued: send(targets.urls, message, { jobId: job.jobId, account: job.account }) };
      } catch (err) {
        options.log?.warn({ err: (err as Error).message }, 'notifications: could not queue');
        return { message, queued: 0 };
      }
    },
    send,
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
