// A real Unix user owning a home directory, for tests of privilege separation. Removed again
// in teardown. Importing this file has no side effects (tap may load it as a test file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { makeSampleAccount, type SampleProfile } from '../../../src/sample/make-account.ts';

export interface Tenant {
  name: string;
  uid: number;
  gid: number;
  /** A root-owned scratch directory (0755) holding `home`. */
  base: string;
  home: string;
}

export function uniqueName(prefix = 'hat'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Creates a user with a home: the sample profile, or an empty one. Root only. */
export function makeTenant(t: Test, profile: SampleProfile | null = 'small'): Tenant {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-'));
  fs.chmodSync(base, 0o755);
  const home = path.join(base, 'home');
  if (profile) makeSampleAccount(home, profile);
  else fs.mkdirSync(home);
  const name = uniqueName();
  execFileSync('useradd', ['-M', '-U', '-d', home, '-s', '/usr/sbin/nologin', name]);
  t.teardown(() => {
    try { execFileSync('userdel', [name], { stdio: 'ignore' }); } catch { /* already gone */ }
    try { execFileSync('groupdel', [name], { stdio: 'ignore' }); } catch { /* removed with the user */ }
    fs.rmSync(base, { recursive: true, force: true });
  });
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
  execFileSync('chown', ['-R', '-h', `${uid}:${gid}`, home]);
  return { name, uid, gid, base, home };
}

/** Runs a command as root and returns stdout. */
export function sh(script: string, ...args: string[]): string {
  return execFileSync('sh', ['-c', script, 'sh', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}
