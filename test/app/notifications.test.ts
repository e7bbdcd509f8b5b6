import t, { type Test } from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

interface Received { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

async function receiver(t: Test) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { got, port: (server.address() as AddressInfo).port };
}

t.test('level error: a failed backup sends one notice, a successful one none; level info sends both', async (t) => {
  const rx = await receiver(t);
  const hook = `generic+http://127.0.0.1:${rx.port}/hook?token=SeCrEtToKeN`;
  const d = await startDaemon(t, { config: { notifications: { urls: [hook], level: 'error' }, databases: { mariadb: { enabled: false } } } });
  const tenant = await makeTenant(t);
  const c = await d.admin();
  const events: { method: string; params: Record<string, unknown> }[] = [];
  c.onNotification((method, params) => events.push({ method, params: params as Record<string, unknown> }));
  await c.call('events.subscribe', {});
  await c.call('account.put', { name: 'good', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  await c.call('account.put', { name: 'bad', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'mariadb', name: 'shop' }] });

  const ok = await c.call<{ jobId: string }>('backup.create', { account: 'good', scope: 'configuration' });
  t.equal((await waitForJob(c, ok.jobId)).status, 'succeeded');
  const failed = await c.call<{ jobId: string }>('backup.create', { account: 'bad', scope: 'hosting' });
  const job = await waitForJob(c, failed.jobId);
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_DB_DUMP']);
  await waitFor(() => (rx.got.length >= 1 ? true : undefined), 10000, 'failure notice');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(rx.got.length, 1, 'exactly one notice: the failure');
  t.equal(rx.got[0]!.method, 'POST');
  t.match(rx.got[0]!.url, /^\/hook\?token=SeCrEtToKeN/);
  t.match(rx.got[0]!.body, /backup of account bad \(admin\) failed/, 'plain-text body, as shoutrrr\'s generic sends it');
  t.match(rx.got[0]!.body, /AGENT_E_DB_DUMP/);

  const finished = events.find((e) => e.method === 'job.finished' && e.params.jobId === failed.jobId)!;
  t.match(finished.params.title, /Backup of bad failed/, 'job.finished carries the rendered title');
  t.match(finished.params.body, /AGENT_E_DB_DUMP/, '…and body, for the panel\'s own feed');

  const history = await c.call<{ deliveries: { url: string; ok: boolean; jobId: string }[] }>('notify.history', {});
  t.equal(history.deliveries.length, 1);
  t.same([history.deliveries[0]!.ok, history.deliveries[0]!.jobId], [true, failed.jobId]);
  t.notMatch(JSON.stringify(history), /SeCrEtToKeN/, 'the history never shows the token');

  // Level info for one account: its successful run notifies too.
  await c.call('account.put', { name: 'good', uid: tenant.uid, gid: tenant.gid, home: tenant.home, notifications: { level: 'info' } });
  const info = await c.call<{ jobId: string }>('backup.create', { account: 'good', scope: 'configuration' });
  await waitForJob(c, info.jobId);
  await waitFor(() => (rx.got.length >= 2 ? true : undefined), 10000, 'success notice');
  t.match(rx.got[1]!.body, /backup of account good \(admin\) finished/);
});

t.test('notify.test: dry run shows the request with secrets hidden and sends nothing; a real test sends', async (t) => {
  const rx = await receiver(t);
  const d = await startDaemon(t);
  const c = await d.admin();
  const url = `generic+http://user:PaSsWoRd@127.0.0.1:${rx.port}/t?apikey=K3Y`;
  const dry = await c.call<{ requests: { method: string; url: string; headers: Record<string, string> }[] }>('notify.test', { url, dryRun: true });
  t.equal(dry.requests.length, 1);
  t.equal(dry.requests[0]!.method, 'POST');
  t.notMatch(JSON.stringify(dry), /PaSsWoRd|K3Y/, 'no secret in the dry run');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(rx.got.length, 0, 'a dry run sends nothing');
  const real = await c.call<{ ok: boolean }>('notify.test', { url });
  t.equal(real.ok, true);
  t.equal(rx.got.length, 1);
  t.match(rx.got[0]!.headers.authorization, /^Basic /, 'the real request carries the credentials');
  const bad = await c.call('notify.test', { url: 'nosuchservice://x' }).catch((e: { agentCode?: string }) => e);
  t.equal((bad as { agentCode?: string }).agentCode, 'AGENT_E_NOTIFY_URL');
  const badAcct = await c.call('package.put', { name: 'p', notifications: { urls: ['telegram://only-token'] } }).catch((e: { agentCode?: string; message: string }) => e);
  t.equal((badAcct as { agentCode?: string }).agentCode, 'AGENT_E_NOTIFY_URL');
  t.match((badAcct as { message: string }).message, /^notifications\.urls\.0: /);
  const pkg = await c.call<{ notifications: { urls: string[] } }>('package.put', { name: 'p', notifications: { urls: ['discord://T0pS3cret@1234'] } });
  t.notMatch(JSON.stringify(pkg), /T0pS3cret/, 'package results never echo the token');
});

t.test('a bad notification URL in the config is refused at start, naming it', async (t) => {
  const err = await startDaemon(t, { config: { notifications: { urls: ['ntfy://ok.example/topic', 'bogus://x'] } } }).catch((e: Error) => e);
  t.match((err as Error).message, /^notifications\.urls\.1: /);
});

t.test('a schedule adds its own URLs and level to its runs', async (t) => {
  const rx = await receiver(t);
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const target = sharedTempDir(t);
  await c.call('destination.put', { name: 'here', type: 'local', directory: target });
  const hook = `generic+http://127.0.0.1:${rx.port}/sched?token=Sch3dT0k`;
  const put = await c.call<{ notifications: { urls: string[] } }>('schedule.put', {
    id: 'nightly', cron: '0 3 * * *', target: { account: 'shop' }, scope: 'configuration', destinations: ['here'],
    notifications: { urls: [hook], level: 'info' },
  });
  t.notMatch(JSON.stringify(put), /Sch3dT0k/, 'schedule results never echo the token');
  await c.call('schedule.run', { id: 'nightly' });
  await waitFor(() => (rx.got.length >= 1 ? true : undefined), 30000, 'schedule notice');
  t.match(rx.got[0]!.url, /^\/sched\?token=Sch3dT0k/, 'the schedule\'s URL was notified of a successful run (its level is info)');
  t.match(rx.got[0]!.body, /backup of account shop \(schedule\) finished/);
});
