import { AgentError } from '../../errors/index.ts';
import type { PackageSettings } from '../model.ts';
import { tenantRefusal } from './tenant-refusal.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface TenantWindow {
  canBackup: boolean;
  perDay: number;
  usedToday: number;
  /** ms epoch when the next tenant snapshot is allowed; null when allowed now or never. */
  nextAllowedAt: number | null;
}

/** The sliding 24-hour window: `taken` are the tenant snapshot times within the last day, oldest first. */
export function tenantWindow(pkg: PackageSettings, taken: number[]): TenantWindow {
  const { enabled, perDay } = pkg.tenantBackups;
  const used = taken.length;
  if (!enabled || perDay === 0) return { canBackup: false, perDay, usedToday: used, nextAllowedAt: null };
  if (used < perDay) return { canBackup: true, perDay, usedToday: used, nextAllowedAt: null };
  // The window frees a slot when the oldest entry that keeps it full turns 24 hours old.
  return { canBackup: false, perDay, usedToday: used, nextAllowedAt: taken[used - perDay]! + DAY_MS };
}

/** Throws the error the panel shows when a tenant may not take a snapshot now. */
export function assertTenantMayBackup(pkg: PackageSettings, packageName: string | null, w: TenantWindow, account: string): void {
  const refusal = tenantRefusal(account, packageName, pkg, w);
  if (refusal === null) return;
  if (refusal.reason === 'daily-limit-reached') {
    const retryAt = new Date(w.nextAllowedAt!).toISOString();
    throw new AgentError('AGENT_E_RATE_LIMITED', refusal.message, { data: { retryAt, perDay: w.perDay, reason: refusal.reason } });
  }
  throw new AgentError('AGENT_E_FORBIDDEN', refusal.message, { data: { reason: refusal.reason } });
}
