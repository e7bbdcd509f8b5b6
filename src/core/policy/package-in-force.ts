import { DEFAULT_PACKAGE, type PackageSettings } from '../model.ts';

export interface PackageInForce {
  /** The package the settings come from; null when the account has none (or it is gone). */
  name: string | null;
  settings: PackageSettings;
}

/** The package settings that govern an account: its package's, or the defaults without one. */
export function packageInForce(account: { package?: string | null }, lookup: (name: string) => PackageSettings | null): PackageInForce {
  const found = account.package ? lookup(account.package) : null;
  return found ? { name: account.package!, settings: found } : { name: null, settings: DEFAULT_PACKAGE };
}
