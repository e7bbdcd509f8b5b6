// An admin stages a restore into a directory inside the tenant's home. The daemon used to make
// that directory as root, by path: a tenant who swaps its parent for a symlink to a root-only
// directory had root create a directory there and hand it to the tenant. The staging directory
// is now made by whoever decides its path, here the account, fd-relative with O_NOFOLLOW: the
// restore fails instead, and nothing appears in the root-only directory, statically and when
// the swap races the restores.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { startSwapRacer } from './swap-racer.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and restore as them')) t.end();

t.test('a staging directory whose parent is swapped for a link is never made through it', async (t) => {
  const parent = sharedTempDir(t);
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'small', parent });
  const admin = await d.admin();
  await admin.call('account.put', { name: 'stager', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(admin, { account: 'stager', scope: 'hosting' });
  const restores = path.join(tenant.home, 'restores');
  fs.mkdirSync(restores);
  fs.chownSync(restores, tenant.uid, tenant.gid);
  const rootOnly = path.join(parent, 'root-only');
  fs.mkdirSync(rootOnly, { mode: 0o700 });
  const stage = async (name: string) => {
    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'staging', path: path.join(restores, name) } });
    return (await waitForJob(admin, jobId, 300_000)).status;
  };

  t.equal(await stage('first'), 'succeeded', 'unswapped, the staging restore succeeds');
  t.equal(fs.lstatSync(path.join(restores, 'first')).uid, tenant.uid, 'its directory belongs to the account');

  fs.renameSync(restores, `${restores}.real`);
  fs.symlinkSync(rootOnly, restores);
  fs.lchownSync(restores, tenant.uid, tenant.gid);
  t.equal(await stage('swapped'), 'failed', 'the swapped parent is not followed');
  t.same(fs.readdirSync(rootOnly), [], 'nothing was made in the root-only directory');
  fs.unlinkSync(restores);
  fs.renameSync(`${restores}.real`, restores);

  const racer = startSwapRacer(t, tenant, tenant.home, { restores: [rootOnly] });
  const statuses: string[] = [];
  for (let i = 0; i < 3; i++) statuses.push(await stage(`raced-${i}`));
  racer.stop();
  t.ok(statuses.every((s) => s === 'succeeded' || s === 'failed'), `every raced restore finished: ${statuses.join(', ')}`);
  t.same(fs.readdirSync(rootOnly), [], 'nothing was made in the root-only directory during the races');
});
