// Titles and bodies of job notifications. Placeholders are `{name}`, replaced by plain string
// substitution from a fixed field set: nothing in a template is ever evaluated.
import os from 'node:os';
import { redactText } from '../core/redact.ts';
import { DEFAULT_NOTIFICATION_TEMPLATES } from '../config/sections/notifications.ts';
import type { NotifyMessage } from './types.ts';

export interface NotificationTemplates {
  successTitle: string;
  successBody: string;
  failureTitle: string;
  failureBody: string;
}

export const DEFAULT_TEMPLATES: NotificationTemplates = DEFAULT_NOTIFICATION_TEMPLATES;

/** A finished job, as the daemon reports it to the notifier. */
export interface JobOutcome {
  outcome: 'succeeded' | 'failed' | 'cancelled';
  account: string;
  kind: string;
  trigger: string;
  jobId?: string;
  snapshotId?: string | null;
  sizeBytes?: number | null;
  durationMs?: number | null;
  destinations?: string[];
  warnings?: number;
  errorCode?: string | null;
  errorText?: string | null;
  /** Defaults to this machine's host name. */
  host?: string;
}

export const TEMPLATE_FIELDS = ['account', 'kind', 'trigger', 'jobId', 'snapshotId', 'size', 'duration', 'destinations', 'warnings', 'errorCode', 'errorText', 'host', 'outcome'] as const;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1181116006 -> "1.1 GiB"; 512 -> "512 B". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  if (i === 0) return `${bytes} B`;
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 125000 -> "2 min 05 s"; 3725000 -> "1 h 02 min"; 850 -> "850 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h === 0) return `${m} min ${pad(s)} s`;
  if (h < 24) return `${h} h ${pad(m)} min`;
  return `${Math.floor(h / 24)} d ${pad(h % 24)} h`;
}

/** Replaces `{field}` with the field's text; unknown placeholders stay as written so typos show. */
export function renderTemplate(template: string, fields: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) => (Object.hasOwn(fields, name) ? fields[name] : whole));
}

export function templateFields(job: JobOutcome): Record<string, string> {
  return {
    account: job.account,
    kind: job.kind,
    trigger: job.trigger,
    jobId: job.jobId ?? '-',
    snapshotId: job.snapshotId ?? '-',
    size: job.sizeBytes === null || job.sizeBytes === undefined ? '-' : formatBytes(job.sizeBytes),
    duration: job.durationMs === null || job.durationMs === undefined ? '-' : formatDuration(job.durationMs),
    destinations: job.destinations?.length ? job.destinations.join(', ') : 'none',
    warnings: String(job.warnings ?? 0),
    errorCode: job.errorCode ?? '-',
    // Error texts may quote URLs with credentials; they leave the host, so scrub them.
    errorText: job.errorText ? redactText(job.errorText) : '-',
    host: job.host ?? os.hostname(),
    outcome: job.outcome,
  };
}

/** The title and body for a finished job; also what `job.finished` events carry for the panel. */
export function renderJobNotification(job: JobOutcome, templates: Partial<NotificationTemplates> = {}): NotifyMessage {
  const t = { ...DEFAULT_TEMPLATES, ...templates };
  const fields = templateFields(job);
  const ok = job.outcome === 'succeeded';
  return {
    title: renderTemplate(ok ? t.successTitle : t.failureTitle, fields),
    body: renderTemplate(ok ? t.successBody : t.failureBody, fields),
    level: ok ? 'info' : 'error',
  };
}
