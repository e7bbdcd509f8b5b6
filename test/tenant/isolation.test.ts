import t from 'tap';
import net from 'node:net';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, waitFor } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';
import type { RpcCallError } from '../../src/client/index.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read homes as them')) t.end();

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as RpcCallError);

t.test('a tenant never sees, downloads, deletes or subscribes to another account\'s things', async (t) => {
  const d = await startDaemon(t);
  const alice = await makeTenant(t);
  const bob = await makeTenant(t, { profile: 'empty' });
  const admin = await d.admin();
  await admin.call('package.put', { name: 'p', tenantBackups: { enabled: true, perDay: 10 } });
  await admin.call('account.put', { name: 'alice', uid: alice.uid, gid: alice.gid, home: alice.home, package: 'p' });
  await admin.call('account.put', { name: 'bob', uid: bob.uid, gid: bob.gid, home: bob.home, package: 'p' });
  const { job, snapshot } = await backupAndWait(admin, { account: 'alice' });
  const bobActor = { account: 'bob', session: 'bob-session-0001' };
  const panel = await d.panel();
  const bobEvents: string[] = [];
  panel.onNotification((m, p) => bobEvents.push(`${m}:${(p as { account?: string }).account}`));
  await panel.call('events.subscribe', { actor: bobActor });

  for (const [method, params] of [
    ['snapshot.get', { snapshotId: snapshot.snapshotId }],
    ['snapshot.delete', { snapshotId: snapshot.snapshotId }],
    ['snapshot.verify', { snapshotId: snapshot.snapshotId }],
    ['download.create', { snapshotId: snapshot.snapshotId }],
    ['job.get', { jobId: job.jobId }],
    ['job.cancel', { jobId: job.jobId }],
  ] as const) {
    t.equal((await fail(panel.call(method, { ...params, actor: bobActor }))).agentCode, 'AGENT_E_NOT_FOUND', `${method} with alice's id looks like a missing id`);
  }
  for (const [method, params] of [
    ['snapshot.list', { account: 'alice' }],
    ['backup.create', { account: 'alice' }],
    ['backup.estimate', { account: 'alice' }],
    ['job.list', { account: 'alice' }],
    ['events.subscribe', { account: 'alice' }],
  ] as const) {
    t.equal((await fail(panel.call(method, { ...params, actor: bobActor }))).agentCode, 'AGENT_E_FORBIDDEN', `${method} naming alice is forbidden`);
  }
  t.same((await panel.call<{ jobs: unknown[] }>('job.list', { actor: bobActor })).jobs, [], 'bob\'s job list holds none of alice\'s jobs');
  t.equal((await admin.call<{ snapshotId: string }>('snapshot.get', { snapshotId: snapshot.snapshotId })).snapshotId, snapshot.snapshotId, 'alice\'s snapshot untouched');
  t.equal((await fail(panel.call('snapshot.list', { account: 'alice' }))).rpcCode, -32602, 'the panel socket requires an actor');

  const aliceEvents: string[] = [];
  const alicePanel = await d.panel();
  alicePanel.onNotification((m) => aliceEvents.push(m));
  await alicePanel.call('events.subscribe', { actor: { account: 'alice', session: 'alice-session-1' } });
  await backupAndWait(admin, { account: 'alice', scope: 'configuration' });
  await waitFor(() => (aliceEvents.includes('snapshot.ready') ? true : undefined), 10000, 'alice\'s events');
  await new Promise((r) => setTimeout(r, 200));
  t.same(bobEvents.filter((e) => !e.endsWith(':bob')), [], 'bob received none of alice\'s events');
});

t.test('a slow subscriber never blocks the daemon and learns how many events it missed', async (t) => {
  const d = await startDaemon(t);
  const sock = net.connect(d.daemon.config.rpc.adminSocket);
  await new Promise((r) => sock.once('connect', r));
  sock.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'events.subscribe', params: {} }) + '\n');
  await new Promise((r) => setTimeout(r, 200));
  sock.pause();
  const payload = { blob: 'x'.repeat(8192) };
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < 20000; i++) d.daemon.events.publish({ type: 'job.progress', account: 'a', payload: { ...payload, i } });
  const growth = process.memoryUsage().rss - rssBefore;
  t.ok(growth < 64 * 1024 * 1024, `memory bounded while the subscriber sleeps (+${Math.round(growth / 1048576)} MiB for 160 MiB of events)`);
  const other = await d.admin();
  t.match(await other.call('agent.status'), { version: String }, 'other connections are served');
  let text = '';
  sock.setEncoding('utf8');
  sock.on('data', (c: string) => { text += c; });
  sock.resume();
  await waitFor(() => (text.includes('"events.dropped"') ? true : undefined), 10000, 'drop marker');
  d.daemon.events.publish({ type: 'job.progress', account: 'a', payload: { last: true } });
  await waitFor(() => (text.includes('"last":true') ? true : undefined), 10000, 'delivery resumes');
  const marker = text.split('\n').map((l) => (l ? JSON.parse(l) : null)).find((m) => m?.method === 'events.dropped');
  t.ok(marker.params.count > 0, `dropped count reported (${marker.params.count})`);
  sock.destroy();
});
