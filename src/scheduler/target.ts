import type { AccountStore, ScheduleTarget } from '../core/store.ts';

/** The accounts a schedule covers, resolved when it fires so new accounts are picked up. */
export function expandTarget(accounts: AccountStore, target: ScheduleTarget): string[] {
  if ('account' in target) return accounts.get(target.account) ? [target.account] : [];
  if ('package' in target) return accounts.list({ package: target.package }).map((a) => a.name);
  return accounts.list().map((a) => a.name);
}
