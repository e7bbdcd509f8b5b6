// The uid a configured mailbox owner stands for, looked up through NSS (`getent passwd`, so
// LDAP/sssd users count too): a known user's uid, else a bare number's own, else null.
import { execFileSync } from 'node:child_process';

/** What may be looked up as a user name: no option-like or path-like strings. */
export const USER_KEY = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/;

export function ownerUidSync(owner: string | number): number | null {
  const key = String(owner);
  if (USER_KEY.test(key)) {
    try {
      const f = execFileSync('getent', ['passwd', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.split(':');
      if (f.length >= 4 && /^\d+$/.test(f[2]!)) return Number(f[2]);
    } catch { /* not known */ }
  }
  return /^\d+$/.test(key) ? Number(key) : null;
}
