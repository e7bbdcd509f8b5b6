// agentctl restore: a staged restore with --wait, approve and reject of tenant requests.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('agentctl restore, approve, reject', async (t) => {
  const parent = sharedTempDir(t);
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  fs.writeFileSync(path.join(tenant.home, 'a.txt'), 'A');
  fs.chownSync(path.join(tenant.home, 'a.txt'), tenant.uid, tenant.gid);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'p', tenantRestore: 'approval' });
  await admin.call('account.put', { name: 'cli', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'p' });
  const { snapshot } = await backupAndWait(admin, { account: 'cli', scope: 'hosting' });
  const sock = d.daemon.config.rpc.adminSocket;

  const staged = await agentctl(['--socket', sock, 'restore', snapshot.snapshotId, '--parts', 'files', '--staging', '--wait']);
  t.equal(staged.status, 0, staged.stderr);
  t.match(staged.stdout, /^status\s+succeeded/m);
  const dir = fs.readdirSync(parent).find((n) => n.startsWith(`${tenant.user}-restore-`));
  t.ok(dir, 'staging directory made');
  t.equal(fs.readFileSync(path.join(parent, dir!, 'a.txt'), 'utf8'), 'A');
  t.match(staged.stdout, new RegExp(`^result\\.files\\.path\\s+${path.join(parent, dir!)}$`, 'm'), 'restore --wait names where it wrote');
  const jobId = /^job\s+(\S+)$/m.exec(staged.stdout)![1]!;
  const shown = await agentctl(['--socket', sock, 'job', 'get', jobId]);
  t.equal(shown.status, 0, shown.stderr);
  t.match(shown.stdout, new RegExp(`^result\\.files\\.path\\s+${path.join(parent, dir!)}$`, 'm'), 'so does job get');
  t.match(shown.stdout, /^result\.mode\s+staging$/m);
  t.match(shown.stdout, /^result\.files\.files\s+1$/m);

  t.equal((await agentctl(['--socket', sock, 'restore', snapshot.snapshotId, '--staging', '--in-place'])).status, 2, 'contradictory flags are a usage error');
  t.equal((await agentctl(['--socket', sock, 'restore', snapshot.snapshotId, '--parts', 'files,secrets'])).status, 2);

  const panel = await d.panel();
  const actor = { account: 'cli', session: 'panel-session-cli-01' };
  const one = await panel.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'in-place' }, actor });
  const two = await panel.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'in-place' }, actor });
  fs.writeFileSync(path.join(tenant.home, 'a.txt'), 'changed');
  const counted = await agentctl(['--socket', sock, 'status']);
  t.match(counted.stdout, /^pending restores\s+2 \(agentctl restore pending\)$/m, 'status counts the restores waiting for approval');
  t.equal(JSON.parse((await agentctl(['--socket', sock, '--json', 'status'])).stdout).pendingRestores, 2);
  const approved = await agentctl(['--socket', sock, 'restore', 'approve', one.jobId]);
  t.equal(approved.status, 0, approved.stderr);
  t.match(approved.stdout, new RegExp(`restore ${one.jobId} queued`));
  t.equal((await waitForJob(admin, one.jobId)).status, 'succeeded');
  t.equal(fs.readFileSync(path.join(tenant.home, 'a.txt'), 'utf8'), 'A');
  t.equal((await agentctl(['--socket', sock, 'restore', 'reject', two.jobId])).status, 2, '--reason is required');
  const rejected = await agentctl(['--socket', sock, 'restore', 'reject', two.jobId, '--reason', 'not now']);
  t.equal(rejected.status, 0, rejected.stderr);
  t.match(rejected.stdout, /rejected/);
  t.match((await agentctl(['--socket', sock, 'status'])).stdout, /^pending restores\s+0$/m, 'decided restores are no longer counted');
  const again = await agentctl(['--socket', sock, 'restore', 'approve', two.jobId]);
  t.equal(again.status, 1);
  t.match(again.stderr, /AGENT_E_CONFLICT/);
});
