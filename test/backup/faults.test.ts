import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { RpcClient, type RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { spawnDaemon, startDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { makeTenant, run, waitFor } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (Unix users, tmpfs mounts)', IS_ROOT, 'needs root')) t.end();

/** A spool on its own small tmpfs, unmounted with the test. */
async function tmpfsSpool(t: Test, mib: number): Promise<string> {
  const dir = path.join(tempDir(t), 'spool');
  fs.mkdirSync(dir, { mode: 0o700 });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', dir]);
  t.teardown(() => run('umount', ['-l', dir]).catch(() => undefined));
  return dir;
}

/** Incompressible bytes so the job runs long enough to be caught mid-way. */
async function addBigFile(tenant: { home: string; uid: number; gid: number }, mib: number): Promise<void> {
  const f = path.join(tenant.home, 'backups', 'big.bin');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  await run('sh', ['-c', `head -c ${mib}M /dev/urandom > '${f}'`]);
  await run('chown', ['-R', `${tenant.uid}:${tenant.gid}`, path.dirname(f)]);
}

t.test('not enough spool space for the estimate: refused before starting', async (t) => {
  const spool = await tmpfsSpool(t, 16);
  const d = await startDaemon(t, { config: { paths: { spool } } });
  const tenant = await makeTenant(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const err = await c.call('backup.create', { account: 'shop' }).catch((e: unknown) => e) as RpcCallError;
  t.equal(err.agentCode, 'AGENT_E_NO_SPACE');
  t.match(err.message, /has \d+ MiB free, the snapshot needs about \d+ MiB/);
  t.same((await c.call<{ jobs: unknown[] }>('job.list', {})).jobs, [], 'no job was queued');
  t.same(fs.readdirSync(spool), [], 'nothing written');
});

t.test('disk full mid-run: the job fails cleanly and leaves nothing partial', async (t) => {
  const tenant = await makeTenant(t);
  await addBigFile(tenant, 40);
  const spool = await tmpfsSpool(t, 200);
  const d = await startDaemon(t, { config: { paths: { spool } } });
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop' });
  // Someone else fills the disk right after the space check passed.
  const free = Number((await run('df', ['--output=avail', '-B1', spool])).stdout.trim().split('\n')[1]);
  // The snapshot keeps writing meanwhile, so the filler itself may meet a full disk: that is the point.
  await run('sh', ['-c', `head -c ${free - 2 * 1024 * 1024} /dev/zero > '${path.join(spool, 'filler')}' || true`]);
  const job = await waitForJob(c, jobId);
  t.equal(job.status, 'failed');
  t.equal(job.errcode, 'AGENT_E_NO_SPACE');
  t.same(fs.readdirSync(spool).filter((n) => n.includes(snapshotId)), [], 'no partial archive');
  t.same((await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'shop' })).snapshots, [], 'nothing listed');
});

t.test('kill -9 during a snapshot, then restart: interrupted, nothing partial, nothing listed', async (t) => {
  const tenant = await makeTenant(t);
  await addBigFile(tenant, 300);
  const dir = tempDir(t);
  writeDevConfig(dir);
  const first = spawnDaemon(t, ['--dev', dir]);
  await first.waitForSocket();
  const sock = path.join(dir, 'run', 'admin.sock');
  let c = await RpcClient.connect(sock);
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop' });
  const spool = path.join(dir, 'spool');
  await waitFor(() => (fs.readdirSync(spool).some((n) => n.includes(snapshotId)) ? true : undefined), 30000, 'partial archive');
  c.close();
  first.child.kill('SIGKILL');
  await first.exited;
  t.ok(fs.readdirSync(spool).some((n) => n.includes(snapshotId)), 'the crash left a partial file behind');
  const second = spawnDaemon(t, ['--dev', dir]);
  await second.waitForSocket();
  c = await RpcClient.connect(sock);
  const job = await c.call<{ status: string; errcode: string }>('job.get', { jobId });
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_INTERRUPTED']);
  t.same(fs.readdirSync(spool).filter((n) => n.includes(snapshotId)), [], 'partial files removed at start');
  t.same(fs.readdirSync(path.join(spool, '.work')), [], 'scratch space removed');
  t.same((await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'shop' })).snapshots, [], 'nothing listed');
  c.close();
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
});

t.test('SIGTERM lets a running job finish within the grace period, then interrupts it', async (t) => {
  const tenant = await makeTenant(t);
  await addBigFile(tenant, 300);
  const dir = tempDir(t);
  writeDevConfig(dir, { jobs: { shutdownGraceSeconds: 1 } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const c = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop' });
  await waitFor(() => (fs.readdirSync(path.join(dir, 'spool')).some((n) => n.includes(snapshotId)) ? true : undefined), 30000, 'job running');
  const started = Date.now();
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0, 'exits 0');
  const took = Date.now() - started;
  t.ok(took >= 900, `waited for the grace period (${took} ms); the job below was interrupted, not finished`);
  const again = spawnDaemon(t, ['--dev', dir]);
  await again.waitForSocket();
  const c2 = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  const job = await c2.call<{ status: string; errcode: string }>('job.get', { jobId });
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_INTERRUPTED']);
  t.same(fs.readdirSync(path.join(dir, 'spool')).filter((n) => n.includes(snapshotId)), [], 'no partial file');
  c2.close();
  again.child.kill('SIGTERM');
  await again.exited;
});
