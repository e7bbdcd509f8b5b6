// /metrics against a real daemon: real backups (one stored at a local destination, one failing
// at an unreachable S3 endpoint), a real tenant hitting its daily limit and a real notification
// receiver move the counters and gauges; the text passes `promtool check metrics`; no secret or
// setting value ever appears in it; the loopback option serves the same text, and a public
// address is refused at config check.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { IS_ROOT, hasCommand, requirePeer } from '../helpers/peer.ts';
import { HOSTAGENTD, REPO, startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { parseSamples, promtoolCheck, sampleValue, scrapeMetrics } from '../helpers/metrics.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const HOOK_TOKEN = 'HookT0kenNeverShown';
const S3_SECRET = 'S3SecretKeyNeverShown';
const S3_KEY_ID = 'AKIANEVERSHOWN';

/** A notification receiver that answers 200. */
async function receiver(t: Test): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('a backup that succeeds and one that fails move the counters and gauges; promtool accepts the text; no secret shows', async (t) => {
  const rx = await receiver(t);
  const hook = `generic+http://127.0.0.1:${rx.port}/hook?token=${HOOK_TOKEN}`;
  const d = await startDaemon(t, { config: { notifications: { urls: [hook], level: 'info' }, scheduler: { uploadAttempts: 2, uploadRetryBaseMs: 20 } } });
  const c = await d.admin();
  const socketPath = d.daemon.config.metrics.socket;
  t.equal(socketPath, path.join(d.dir, 'run', 'metrics.sock'), 'dev mode puts the socket under DIR/run');
  t.equal(fs.statSync(socketPath).mode & 0o777, 0o660, 'socket mode 0660');

  const before = await scrapeMetrics({ socketPath });
  t.equal(before.status, 200);
  t.match(before.contentType, /^text\/plain; version=0\.0\.4/);
  t.equal(sampleValue(before.text, 'hostagent_queue_depth'), 0);
  t.equal(sampleValue(before.text, 'hostagent_jobs_running'), 0);
  t.equal(sampleValue(before.text, 'hostagent_backup_duration_seconds_count'), 0);

  const tenant = await makeTenant(t);
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const localDir = tempDir(t, 'hostagent-dest-');
  await c.call('destination.put', { name: 'here', type: 'local', directory: localDir });
  await c.call('destination.put', {
    name: 'down', type: 's3', bucket: 'backups', path: 'node1', endpoint: '127.0.0.1:1', protocol: 'http', forcePathStyle: true,
    accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET,
  });
  await c.call('schedule.put', { id: 'nightly', cron: '0 3 * * *', target: { account: 'shop' }, scope: 'hosting', destinations: ['here'] });

  const ok = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop', scope: 'hosting', destinations: ['here'] });
  const okJob = await waitForJob(c, ok.jobId);
  t.equal(okJob.status, 'succeeded', okJob.errcode ? `${okJob.errcode} ${okJob.errtext}` : 'succeeded');
  const failed = await c.call<{ jobId: string }>('backup.create', { account: 'shop', scope: 'configuration', destinations: ['down'] });
  const failedJob = await waitForJob(c, failed.jobId);
  t.same([failedJob.status, failedJob.errcode], ['failed', 'AGENT_E_DEST_UNAVAILABLE']);
  await d.daemon.notifications.idle();

  const { text } = await scrapeMetrics({ socketPath });
  const snap = await c.call<{ createdAt: string; bytes: number }>('snapshot.get', { snapshotId: ok.snapshotId });
  const okView = await c.call<{ startedAt: string; finishedAt: string }>('job.get', { jobId: ok.jobId });
  const failedView = await c.call<{ startedAt: string }>('job.get', { jobId: failed.jobId });
  const secs = (iso: string) => Date.parse(iso) / 1000;

  t.equal(sampleValue(text, 'hostagent_jobs_total', { kind: 'backup', status: 'succeeded', code: '' }), 1, 'one backup succeeded');
  t.equal(sampleValue(text, 'hostagent_jobs_total', { kind: 'backup', status: 'failed', code: 'AGENT_E_DEST_UNAVAILABLE' }), 1, 'one failed, with its code');
  t.equal(sampleValue(text, 'hostagent_account_last_success_timestamp_seconds', { account: 'shop', scope: 'hosting' }), secs(snap.createdAt), 'last success is the snapshot\'s createdAt');
  t.equal(sampleValue(text, 'hostagent_account_last_success_timestamp_seconds', { account: 'shop', scope: 'configuration' }), undefined, 'the failed scope has no success');
  t.equal(sampleValue(text, 'hostagent_account_last_attempt_timestamp_seconds', { account: 'shop', scope: 'hosting' }), secs(okView.startedAt), 'last attempt is the job\'s start');
  t.equal(sampleValue(text, 'hostagent_account_last_attempt_timestamp_seconds', { account: 'shop', scope: 'configuration' }), secs(failedView.startedAt), 'a failed run is an attempt too');
  t.equal(sampleValue(text, 'hostagent_backup_duration_seconds_count'), 1, 'only the successful backup is timed');
  t.equal(sampleValue(text, 'hostagent_backup_duration_seconds_sum'), (Date.parse(okView.finishedAt) - Date.parse(okView.startedAt)) / 1000);
  t.equal(sampleValue(text, 'hostagent_backup_bytes_count'), 1);
  t.equal(sampleValue(text, 'hostagent_backup_bytes_sum'), snap.bytes, 'archive bytes observed');

  const destErrors = parseSamples(text).filter((s) => s.name === 'hostagent_destination_errors_total');
  t.ok(destErrors.length >= 1 && destErrors.every((s) => s.labels.destination === 'down' && /^AGENT_E_DEST_[A-Z_]+$/.test(s.labels.code!)), `destination errors are counted against "down" by code: ${JSON.stringify(destErrors)}`);
  t.ok(destErrors.reduce((n, s) => n + s.value, 0) >= 1);
  const storedAt = d.daemon.store.snapshots.get(ok.snapshotId)!.locations[0]!.storedAt;
  t.equal(sampleValue(text, 'hostagent_destination_last_success_timestamp_seconds', { destination: 'here' }), storedAt / 1000, 'destination last success is its copy\'s time');
  t.equal(sampleValue(text, 'hostagent_destination_last_success_timestamp_seconds', { destination: 'down' }), undefined);

  const schedule = await c.call<{ nextFireAt: string }>('schedule.get', { id: 'nightly' });
  t.equal(sampleValue(text, 'hostagent_schedule_next_run_timestamp_seconds', { schedule: 'nightly' }), secs(schedule.nextFireAt), 'next run as schedule.get shows it');
  t.ok(sampleValue(text, 'hostagent_spool_bytes')! >= snap.bytes, 'the spool holds the admin snapshot');
  t.equal(sampleValue(text, 'hostagent_queue_depth'), 0);
  t.equal(sampleValue(text, 'hostagent_jobs_running'), 0);
  t.equal(rx.hits(), 2, 'the receiver got both notices');
  t.equal(sampleValue(text, 'hostagent_notifications_total', { service: 'generic', status: 'sent' }), 2, 'notifications counted by service name');

  // Labels hold names and codes only: no secret, no URL, no setting value.
  for (const needle of [HOOK_TOKEN, S3_SECRET, S3_KEY_ID, '127.0.0.1', localDir, 'http://', tenant.home]) {
    t.notOk(text.includes(needle), `the scrape does not contain ${needle}`);
  }

  if (requirePeer(t, 'promtool', hasCommand('promtool'), 'promtool (Debian package prometheus) not installed')) {
    const check = await promtoolCheck(text);
    t.comment(`promtool check metrics: exit ${check.code}${check.output.trim() ? `\n${check.output.trim()}` : ', no findings'}`);
    t.equal(check.code, 0, 'promtool check metrics exits 0');
    t.equal(check.output.trim(), '', 'promtool reports no lint findings');
  }
});

t.test('every account is listed once however many there are (read page by page)', async (t) => {
  const d = await startDaemon(t);
  const { store } = d.daemon;
  const count = 1203;
  const home = tempDir(t);
  const at = Date.parse('2026-12-01T03:00:00Z');
  for (let i = 0; i < count; i++) {
    const name = `acct${String(i).padStart(4, '0')}`;
    store.accounts.put({ name, uid: 0, gid: 0, home }, at);
    store.snapshots.insert({
      id: `snap${i}`, account: name, kind: 'account_full', scope: i % 2 ? 'full' : 'mail', trigger: 'schedule', jobId: null, note: null, compression: 'gzip',
      bytes: 1, sha256: '0'.repeat(64), files: 1, parts: [`${name}.tar.gz`], manifest: {}, temporary: false, createdAt: at + i * 1000, expiresAt: null,
    });
  }
  const { text } = await scrapeMetrics({ socketPath: d.daemon.config.metrics.socket });
  const success = parseSamples(text).filter((s) => s.name === 'hostagent_account_last_success_timestamp_seconds');
  t.equal(success.length, count, 'one series per account');
  t.equal(new Set(success.map((s) => s.labels.account)).size, count, 'no account twice');
  t.equal(sampleValue(text, 'hostagent_account_last_success_timestamp_seconds', { account: 'acct1202', scope: 'mail' }), (at + 1202 * 1000) / 1000);
  store.accounts.delete('acct0007');
  const after = await scrapeMetrics({ socketPath: d.daemon.config.metrics.socket });
  t.equal(sampleValue(after.text, 'hostagent_account_last_success_timestamp_seconds', { account: 'acct0007' }), undefined, 'a deleted account is gone');
  if (requirePeer(t, 'promtool', hasCommand('promtool'), 'promtool (Debian package prometheus) not installed')) {
    t.equal((await promtoolCheck(text)).code, 0, 'promtool accepts the large text');
  }
});

t.test('a tenant refused by the daily limit is counted', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t, { profile: 'empty' });
  const admin = await d.admin();
  await admin.call('package.put', { name: 'one-a-day', tenantBackups: { enabled: true, perDay: 1 } });
  await admin.call('account.put', { name: 'blog', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'one-a-day' });
  const panel = await d.panel();
  const actor = { account: 'blog', session: 'panel-session-0001' };
  const first = await panel.call<{ jobId: string }>('backup.create', { account: 'blog', scope: 'configuration', actor });
  t.equal((await waitForJob(admin, first.jobId)).status, 'succeeded');
  const socketPath = d.daemon.config.metrics.socket;
  t.equal(sampleValue((await scrapeMetrics({ socketPath })).text, 'hostagent_tenant_rate_limited_total'), 0);
  for (let i = 0; i < 2; i++) {
    await t.rejects(panel.call('backup.create', { account: 'blog', scope: 'configuration', actor }), { message: /./, data: { code: 'AGENT_E_RATE_LIMITED' } });
  }
  const { text } = await scrapeMetrics({ socketPath });
  t.equal(sampleValue(text, 'hostagent_tenant_rate_limited_total'), 2, 'each refusal counted');
  t.equal(sampleValue(text, 'hostagent_jobs_total', { kind: 'backup', status: 'succeeded', code: '' }), 1, 'refusals are not jobs');
});

t.test('the loopback port serves the same text; other paths are not served', async (t) => {
  const port = await freePort();
  const d = await startDaemon(t, { config: { metrics: { listen: `127.0.0.1:${port}` } } });
  const viaSocket = await scrapeMetrics({ socketPath: d.daemon.config.metrics.socket });
  const viaPort = await scrapeMetrics({ host: '127.0.0.1', port });
  t.equal(viaPort.status, 200);
  t.equal(viaPort.contentType, viaSocket.contentType);
  t.equal(viaPort.text, viaSocket.text, 'the same text on both');
  t.match(viaPort.text, /^# HELP hostagent_/m);
  const other = await scrapeMetrics({ host: '127.0.0.1', port }, '/admin');
  t.equal(other.status, 404, 'only /metrics is served');
});

t.test('metrics.enabled false serves nothing', async (t) => {
  const d = await startDaemon(t, { config: { metrics: { enabled: false } } });
  t.notOk(fs.existsSync(d.daemon.config.metrics.socket), 'no metrics socket');
});

t.test('a non-loopback listen address is refused at config check, naming the key', async (t) => {
  const dir = tempDir(t);
  for (const listen of ['0.0.0.0:9470', '192.0.2.10:9470', '[::]:9470', 'example.com:9470']) {
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, JSON.stringify({ metrics: { listen } }));
    const r = spawnSync(process.execPath, [HOSTAGENTD, '--check-config', '--config', file], { encoding: 'utf8', timeout: 30000 });
    t.equal(r.status, 78, `${listen}: exit 78`);
    t.match(r.stderr, /metrics\.listen: must be a loopback address:port/, `${listen}: the key is named`);
  }
});

t.test('README and docs/metrics.md list exactly the metrics the daemon exports', async (t) => {
  const d = await startDaemon(t);
  const { text } = await scrapeMetrics({ socketPath: d.daemon.config.metrics.socket });
  const exported = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  t.ok(exported.length >= 13, `${exported.length} families`);
  const documented = [...fs.readFileSync(path.join(REPO, 'docs/metrics.md'), 'utf8').matchAll(/^\| `(hostagent_\w+)` \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  t.same(documented, exported, 'docs/metrics.md: every family, with its type');
  const readme = [...fs.readFileSync(path.join(REPO, 'README.md'), 'utf8').matchAll(/^\| `(hostagent_\w+)`/gm)].map((m) => m[1]).sort();
  t.same(readme, exported.map((e) => e.split(' ')[0]), 'README: every family');
});
