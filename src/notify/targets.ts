// Which URLs a job notifies, and whether its outcome is worth a notice at all.
import type { JobOutcome } from './templates.ts';

export type NotificationLevel = 'error' | 'info';

export interface NotificationTargets {
  urls: string[];
  level: NotificationLevel;
}

export interface NotificationOverrides {
  urls?: string[];
  level?: NotificationLevel;
}

/**
 * The global settings merged with package, account and schedule overrides (in that order):
 * URLs add up (duplicates dropped), the last override that names a level wins.
 */
export function effectiveNotificationTargets(global: NotificationTargets, ...overrides: Array<NotificationOverrides | null | undefined>): NotificationTargets {
  const urls = new Set(global.urls);
  let level = global.level;
  for (const o of overrides) {
    if (!o) continue;
    for (const u of o.urls ?? []) urls.add(u);
    if (o.level) level = o.level;
  }
  return { urls: [...urls], level };
}

/** `error`: failed runs only; `info`: every run (succeeded, failed or cancelled). */
export function shouldNotify(level: NotificationLevel, outcome: JobOutcome['outcome']): boolean {
  return level === 'info' || outcome === 'failed';
}
