// Why a tenant may not take a snapshot now: one stable code and one sentence, shared by
// account.capabilities (so the panel can explain a hidden button) and backup.create's error.
import type { PackageSettings } from '../model.ts';
import type { TenantWindow } from './tenant-window.ts';

export const TENANT_REFUSAL_REASONS = ['no-package', 'package-disallows', 'daily-limit-reached'] as const;
export type TenantRefusalReason = (typeof TENANT_REFUSAL_REASONS)[number];

/** What each reason means, for the API reference. */
export const TENANT_REFUSAL_MEANINGS: Record<TenantRefusalReason, string> = {
  'no-package': 'The account has no package; without one, tenant snapshots are off. An admin assigns a package that allows them.',
  'package-disallows': 'The account\'s package does not allow tenant snapshots (tenantBackups.enabled is false or perDay is 0).',
  'daily-limit-reached': 'The package\'s daily limit is used up; nextAllowedAt says when the next snapshot is allowed.',
};

export interface TenantRefusal {
  reason: TenantRefusalReason;
  message: string;
}

/**
 * Why `account` may not take a tenant snapshot now, or null when it may. `pkg` is the settings in
 * force; `packageName` the package they come from, or null when the account has none (the
 * defaults, which do not allow tenant snapshots).
 */
export function tenantRefusal(account: string, packageName: string | null, pkg: PackageSettings, w: TenantWindow): TenantRefusal | null {
  if (!pkg.tenantBackups.enabled || pkg.tenantBackups.perDay === 0) {
    return packageName === null
      ? { reason: 'no-package', message: `account ${account} has no package, and only a package can allow tenant snapshots` }
      : { reason: 'package-disallows', message: `the package ${packageName} of account ${account} does not allow tenant snapshots` };
  }
  if (!w.canBackup && w.nextAllowedAt !== null) {
    return { reason: 'daily-limit-reached', message: `daily snapshot limit reached (${w.perDay} per 24 hours); try later, after ${new Date(w.nextAllowedAt).toISOString()}` };
  }
  return null;
}
