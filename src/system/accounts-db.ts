// Users and groups as the system's NSS sees them (files, LDAP, sssd), through getent.
import { execFileSync } from 'node:child_process';

export interface UnixUser { name: string; uid: number; gid: number; home: string; shell: string }
export interface UnixGroup { name: string; gid: number }

function getent(db: 'passwd' | 'group', key: string | number): string[] | null {
  try {
    const out = execFileSync('getent', [db, String(key)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = out.split('\n')[0];
    return line ? line.split(':') : null;
  } catch {
    return null;
  }
}

export function lookupUser(nameOrUid: string | number): UnixUser | null {
  const f = getent('passwd', nameOrUid);
  return f ? { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! } : null;
}

export function lookupGroup(nameOrGid: string | number): UnixGroup | null {
  const f = getent('group', nameOrGid);
  return f ? { name: f[0]!, gid: Number(f[2]) } : null;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
