// An archive a tenant (or anyone) handed over, imported on the admin socket and restored into a
// tenant's home through the real daemon. A directory beside the home, writable by the tenant,
// holds a canary: whatever the archive says, nothing in it may change.
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { startDaemon, type InProcessDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, type Tenant } from '../helpers/tenant.ts';
import { waitForJob, type JobView } from '../helpers/backup-flow.ts';
import { craftArchive, type CraftedEntry } from '../restore/crafted-archive.ts';

export interface HostileRestore {
  daemon: InProcessDaemon;
  tenant: Tenant;
  outside: string;
  job: JobView;
  codes: string[];
}

/** Imports `entries` as an archive of a fresh empty tenant and restores its files part. */
export async function restoreHostileImport(t: Test, entries: CraftedEntry[], mode: 'in-place' | 'staging' = 'in-place'): Promise<HostileRestore> {
  const parent = sharedTempDir(t);
  const daemon = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  const admin = await daemon.admin();
  await admin.call('account.put', { name: 'victim', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const outside = path.join(parent, 'outside');
  fs.mkdirSync(outside, { mode: 0o777 });
  fs.chmodSync(outside, 0o777);
  fs.writeFileSync(path.join(outside, 'canary'), 'canary');
  fs.chmodSync(path.join(outside, 'canary'), 0o666);
  const archive = path.join(sharedTempDir(t, 'hostagent-hostile-'), 'handed-over.tar.gz');
  craftArchive(archive, entries, { username: 'victim' });
  const { snapshotId } = await admin.call<{ snapshotId: string }>('snapshot.import', { path: archive, account: 'victim' });
  const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId, parts: ['files'], target: { mode } });
  const job = await waitForJob(admin, jobId);
  return { daemon, tenant, outside, job, codes: job.warnings.map((w) => w.code) };
}

/** Asserts the canary beside the home is as it was and nothing new appeared there. */
export function assertOutsideUntouched(t: Test, outside: string): void {
  t.equal(fs.readFileSync(path.join(outside, 'canary'), 'utf8'), 'canary', 'the canary outside the home is untouched');
  t.same(fs.readdirSync(outside), ['canary'], 'nothing new appeared outside the home');
}
