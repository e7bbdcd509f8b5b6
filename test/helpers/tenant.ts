// Real Unix users owning real sample homes, removed with the test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { makeSampleAccount, type SampleProfile } from '../../src/sample/make-account.ts';

export const run = promisify(execFile);
let seq = 0;

export interface Tenant {
  name: string;
  user: string;
  uid: number;
  gid: number;
  home: string;
}

/** A directory other users can traverse (mkdtemp makes 0700 ones), removed with the test. */
export function sharedTempDir(t: Test, prefix = 'hostagent-home-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates a Unix user `hat…` whose home is a sample account (or empty), owned by it. */
export async function makeTenant(t: Test, opts: { profile?: SampleProfile | 'empty'; parent?: string } = {}): Promise<Tenant> {
  const user = `hat${process.pid % 100000}x${++seq}`;
  const parent = opts.parent ?? sharedTempDir(t);
  const home = path.join(parent, user);
  if (opts.profile === 'empty') fs.mkdirSync(home, { recursive: true });
  else makeSampleAccount(home, opts.profile ?? 'small', seq);
  await run('useradd', ['-M', '-d', home, '-s', '/usr/sbin/nologin', '-U', user]);
  t.teardown(async () => { await run('userdel', [user]).catch(() => undefined); await run('groupdel', [user]).catch(() => undefined); });
  const uid = Number((await run('id', ['-u', user])).stdout.trim());
  const gid = Number((await run('id', ['-g', user])).stdout.trim());
  await run('chown', ['-hR', `${uid}:${gid}`, home]);
  return { name: user, user, uid, gid, home };
}

/** Polls until fn returns a value other than undefined. */
export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
