import { AgentError } from '../../errors/index.ts';
import type { PackageSettings } from '../model.ts';

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
export function assertTenantMayBackup(pkg: PackageSettings, w: TenantWindow, account: string): void {
  if (!pkg.tenantBackups.enabled || pkg.tenantBackups.perDay === 0) {
    throw new AgentError('AGENT_E_FORBIDDEN', `the package of account ${account} does not allow tenant snapshots`);
  }
  if (!w.canBackup && w.nextAllowedAt !== null) {
    const retryAt = new Date(w.nextAllowedAt).toISOString();
    throw new AgentError('AGENT_E_RATE_LIMITED', `daily snapshot limit reached (${w.perDay} per 24 hours); try later, after ${retryAt}`, { data: { retryAt, perDay: w.perDay } });
  }
}
