import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.ts';
import type { RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, run, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { curlDownload } from '../helpers/curl.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read homes as them')) t.end();

const DAY = 24 * 3600_000;
const sha256File = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as RpcCallError);

t.test('download my account, as a panel does it', async (t) => {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const d = await startDaemon(t, { clock });
  const tenant = await makeTenant(t);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'gold', tenantBackups: { enabled: true, perDay: 1 } });
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'gold' });
  const panel = await d.panel();
  const actor = { account: 'shop', session: 'panel-session-0001' };
  const events: { method: string; params: Record<string, unknown> }[] = [];
  panel.onNotification((method, params) => events.push({ method, params: params as Record<string, unknown> }));
  await panel.call('events.subscribe', { actor });

  const caps = await panel.call<Record<string, unknown>>('account.capabilities', { actor });
  t.same(caps, { canBackup: true, perDay: 1, usedToday: 0, nextAllowedAt: null, maxBytes: 100 * 1024 ** 3, downloadTtlSeconds: 900 });

  const { jobId, snapshotId } = await panel.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop', actor });
  const ready = await waitFor(() => events.find((e) => e.method === 'snapshot.ready' && e.params.snapshotId === snapshotId), 60000, 'snapshot.ready');
  t.equal(ready.params.account, 'shop');
  t.ok(events.some((e) => e.method === 'job.progress' && e.params.jobId === jobId), 'progress events pushed');
  await waitFor(() => events.find((e) => e.method === 'job.finished' && e.params.jobId === jobId && e.params.status === 'succeeded'), 10000, 'job.finished');
  const snap = await panel.call<{ sha256: string; temporary: boolean; expiresAt: string; path?: string }>('snapshot.get', { snapshotId, actor });
  t.equal(snap.temporary, true, 'a tenant snapshot is temporary');
  t.equal(snap.expiresAt, new Date(clock.now() + DAY).toISOString());
  t.equal(snap.path, undefined, 'the spool path is for admins only');

  const link = await panel.call<{ url: string; path: string; expiresAt: string }>('download.create', { snapshotId, actor });
  t.match(link.path, /^\/d\/[A-Za-z0-9_-]{43}$/, '256-bit token');
  t.equal(link.expiresAt, new Date(clock.now() + 900_000).toISOString());
  const sock = d.daemon.config.download.socket;
  const dir = sharedTempDir(t);
  const out = path.join(dir, 'account.tar.gz');
  const got = await curlDownload(sock, link.path, { session: actor.session, out });
  t.equal(got.status, 200);
  t.equal(sha256File(out), snap.sha256, 'downloaded bytes are the archive');
  t.equal(got.headers.etag, `"sha256-${snap.sha256}"`);
  t.match(got.headers['content-disposition'], /attachment; filename="shop_account_full_\d{8}T\d{6}Z_\w+\.tar\.gz"/);
  await t.resolves(run('tar', ['-tzf', out], { maxBuffer: 64 << 20 }), 'tar -tzf reads it');
  await waitFor(() => events.find((e) => e.method === 'download.completed' && e.params.snapshotId === snapshotId), 30000, 'download.completed');

  // Resumable: a first piece, then curl -C - picks up where it stopped.
  const resumed = path.join(dir, 'resumed.tar.gz');
  t.equal((await curlDownload(sock, link.path, { session: actor.session, out: resumed, extra: ['-r', '0-9999'] })).status, 206);
  t.equal(fs.statSync(resumed).size, 10000);
  const rest = await curlDownload(sock, link.path, { session: actor.session, out: resumed, extra: ['-C', '-'] });
  t.equal(rest.status, 206);
  t.equal(sha256File(resumed), snap.sha256, 'resumed download is complete and exact');
  const head = await curlDownload(sock, link.path, { session: actor.session, extra: ['-I'] });
  t.same([head.status, head.headers['content-length']], [200, String(fs.statSync(out).size)], 'HEAD gives the length');

  t.equal((await curlDownload(sock, link.path, { session: 'someone-elses-session' })).status, 403, 'another session: 403');
  t.equal((await curlDownload(sock, link.path, {})).status, 403, 'no session: 403');
  t.equal((await curlDownload(sock, `/d/${'A'.repeat(43)}`, { session: actor.session })).status, 404, 'unknown link: 404');

  const limited = await fail(panel.call('backup.create', { account: 'shop', actor }));
  t.equal(limited.agentCode, 'AGENT_E_RATE_LIMITED');
  t.match(limited.message, /try later/);
  t.equal(limited.data?.retryAt, new Date(clock.now() + DAY).toISOString(), 'retryAt is when the window frees');
  const after = await panel.call<{ canBackup: boolean; usedToday: number; nextAllowedAt: string }>('account.capabilities', { actor });
  t.same([after.canBackup, after.usedToday, after.nextAllowedAt], [false, 1, new Date(clock.now() + DAY).toISOString()]);

  clock.advance(901_000);
  t.equal((await curlDownload(sock, link.path, { session: actor.session })).status, 410, 'expired link: 410');

  // Downloaded and its link expired: the next sweep purges it.
  const before = events.length;
  const swept = await d.daemon.sweep();
  t.same(swept.purged, [snapshotId]);
  t.same(fs.readdirSync(d.daemon.config.paths.spool).filter((n) => n.includes(snapshotId)), [], 'archive gone from the spool');
  await t.resolves(waitFor(() => events.slice(before).find((e) => e.method === 'snapshot.purged' && e.params.snapshotId === snapshotId), 30000, 'snapshot.purged'), 'snapshot.purged pushed');
  t.equal((await fail(panel.call('snapshot.get', { snapshotId, actor }))).agentCode, 'AGENT_E_NOT_FOUND');

  // The window slides: 24 hours after the first snapshot a new one is allowed.
  clock.advance(DAY);
  t.equal((await panel.call<{ canBackup: boolean }>('account.capabilities', { actor })).canBackup, true);
  await admin.call('limits.reset', { account: 'shop' });
});

t.test('temporary snapshots are purged 24 hours after creation, and orphans at start', async (t) => {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const d = await startDaemon(t, { clock });
  const tenant = await makeTenant(t);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'p', tenantBackups: { enabled: true, perDay: 5 } });
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'p' });
  const panel = await d.panel();
  const actor = { account: 'shop', session: 'panel-session-0002' };
  const { jobId, snapshotId } = await panel.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop', actor });
  t.equal((await waitForJob(admin, jobId)).status, 'succeeded');
  const adminSnap = (await admin.call<{ snapshotId: string }>('backup.create', { account: 'shop' }));
  await waitForJob(admin, (await admin.call<{ jobs: { jobId: string; snapshotId: string }[] }>('job.list', { account: 'shop' })).jobs.find((j) => j.snapshotId === adminSnap.snapshotId)!.jobId);
  clock.advance(DAY - 60_000);
  t.same((await d.daemon.sweep()).purged, [], 'not before 24 hours');
  clock.advance(60_000);
  t.same((await d.daemon.sweep()).purged, [snapshotId], 'tenant snapshot purged at 24 hours');
  t.equal((await admin.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'shop' })).snapshots.length, 1, 'the admin snapshot stays');
  const orphan = path.join(d.daemon.config.paths.spool, 'shop_account_full_20260101T000000Z_deadbeef.tar.gz');
  fs.writeFileSync(orphan, 'left over');
  const swept = await d.daemon.sweep();
  t.same(swept.orphans, [path.basename(orphan)]);
  t.notOk(fs.existsSync(orphan), 'a spool file no row knows is removed');
  t.equal(fs.statSync(d.daemon.config.paths.spool).mode & 0o777, 0o700, 'spool is root-only 0700');
  t.equal(fs.statSync(d.daemon.config.paths.spool).uid, 0);
});

t.test('policy: disabled packages, too-large accounts, admin calls recorded but not limited', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'basic' });
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'basic' });
  const panel = await d.panel();
  const actor = { account: 'shop', session: 'panel-session-0003' };
  t.equal((await panel.call<{ canBackup: boolean }>('account.capabilities', { actor })).canBackup, false, 'button hidden');
  t.equal((await fail(panel.call('backup.create', { account: 'shop', actor }))).agentCode, 'AGENT_E_FORBIDDEN');
  await admin.call('package.put', { name: 'basic', tenantBackups: { enabled: true, perDay: 1, maxBytes: 1000 } });
  const big = await fail(panel.call('backup.create', { account: 'shop', actor }));
  t.equal(big.agentCode, 'AGENT_E_TOO_LARGE');
  t.match(big.message, /scheduled off-host backup/);
  t.equal((await panel.call<{ usedToday: number }>('account.capabilities', { actor })).usedToday, 0, 'a refused call does not use the day\'s snapshot');
  await admin.call('package.put', { name: 'basic', tenantBackups: { enabled: true, perDay: 1 } });
  for (let i = 0; i < 3; i++) await admin.call('backup.create', { account: 'shop', scope: 'configuration' });
  t.equal((await panel.call<{ usedToday: number }>('account.capabilities', { actor })).usedToday, 0, 'admin snapshots do not use the tenant window');
  await panel.call('backup.create', { account: 'shop', actor, scope: 'configuration' });
  t.equal((await fail(panel.call('backup.create', { account: 'shop', actor }))).agentCode, 'AGENT_E_RATE_LIMITED');
  t.same(await admin.call('limits.reset', { account: 'shop' }), { cleared: 1 });
  await t.resolves(panel.call('backup.create', { account: 'shop', actor, scope: 'configuration' }), 'allowed again after an admin reset');
  const fromPanel = await fail(panel.call('backup.create', { account: 'shop', actor, destinations: ['s3'] }));
  t.equal(fromPanel.agentCode, 'AGENT_E_FORBIDDEN', 'tenants cannot pick destinations');
});

t.test('200 concurrent tenant requests: exactly perDay succeed', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t, { profile: 'empty' });
  fs.writeFileSync(path.join(tenant.home, 'index.html'), '<h1>hi</h1>');
  await run('chown', [`${tenant.uid}:${tenant.gid}`, path.join(tenant.home, 'index.html')]);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'p', tenantBackups: { enabled: true, perDay: 3 } });
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'p' });
  const actor = { account: 'shop', session: 'panel-session-0004' };
  const clients = await Promise.all(Array.from({ length: 8 }, () => d.panel()));
  const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => clients[i % clients.length]!.call('backup.create', { account: 'shop', actor })));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const limited = results.filter((r) => r.status === 'rejected' && (r.reason as RpcCallError).agentCode === 'AGENT_E_RATE_LIMITED').length;
  t.equal(ok, 3, 'exactly perDay succeeded');
  t.equal(limited, 197, 'every other call was rate limited');
  // The window survives a restart: it is in SQLite.
  await d.daemon.stop();
  const again = await startDaemon(t, { dir: d.dir });
  const caps = await (await again.panel()).call<{ usedToday: number; canBackup: boolean }>('account.capabilities', { actor });
  t.same([caps.usedToday, caps.canBackup], [3, false]);
});
