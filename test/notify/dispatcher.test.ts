// The notifier: notify() returns before a slow receiver answers, levels decide what is sent,
// every attempt is recorded without secrets, templates render sizes and durations readably.
import t from 'tap';
import { parseConfig } from '../../src/config/index.ts';
import {
  createNotifier, effectiveNotificationTargets, shouldNotify, renderJobNotification, renderTemplate,
  formatBytes, formatDuration, DEFAULT_TEMPLATES, testNotification, type DeliveryAttempt, type JobOutcome,
} from '../../src/notify/index.ts';
import { startReceiver } from './receiver.ts';

const failed: JobOutcome = {
  outcome: 'failed', account: 'alice', kind: 'account_full', trigger: 'schedule', durationMs: 125_000,
  destinations: ['s3-main'], warnings: 2, errorCode: 'AGENT_E_DB_DUMP', errorText: 'dump failed for mysql://root:hunter2@db/x', host: 'node1',
};
const succeeded: JobOutcome = {
  outcome: 'succeeded', account: 'alice', kind: 'account_full', trigger: 'tenant', snapshotId: 'snap1', sizeBytes: 1181116006,
  durationMs: 3_725_000, destinations: ['local', 's3-main'], warnings: 0, host: 'node1',
};

function config(urls: string[], level: 'error' | 'info' = 'error') {
  return parseConfig({ notifications: { urls, level, retry: { attempts: 2, baseDelayMs: 10 } } }).notifications;
}

t.test('config section defaults', async (t) => {
  const c = parseConfig({}).notifications;
  t.same(c.urls, []);
  t.equal(c.level, 'error');
  t.same(c.templates, DEFAULT_TEMPLATES);
  t.same(c.retry, { attempts: 3, baseDelayMs: 1000 });
  t.throws(() => parseConfig({ notifications: { level: 'debug' } }), { code: 'AGENT_E_CONFIG', message: /notifications\.level/ });
});

t.test('human units and safe placeholders', async (t) => {
  t.equal(formatBytes(1181116006), '1.1 GiB');
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(1536), '1.5 KiB');
  t.equal(formatDuration(125_000), '2 min 05 s');
  t.equal(formatDuration(3_725_000), '1 h 02 min');
  t.equal(formatDuration(42_000), '42 s');
  t.equal(formatDuration(850), '850 ms');
  t.equal(renderTemplate('{account} {constructor} {__proto__} {unknown} ${account}', { account: 'a' }), 'a {constructor} {__proto__} {unknown} $a');
  const ok = renderJobNotification(succeeded);
  t.equal(ok.title, '[node1] Backup of alice succeeded');
  t.match(ok.body, /Size: 1\.1 GiB/);
  t.match(ok.body, /finished in 1 h 02 min/);
  t.match(ok.body, /Destinations: local, s3-main/);
  const bad = renderJobNotification(failed, { failureTitle: '{account}: {errorCode}' });
  t.equal(bad.title, 'alice: AGENT_E_DB_DUMP');
  t.equal(bad.level, 'error');
  t.match(bad.body, /after 2 min 05 s/);
  t.notMatch(bad.body, /hunter2/, 'error texts are scrubbed of credentials');
});

t.test('targets merge and levels', async (t) => {
  const merged = effectiveNotificationTargets({ urls: ['a://1'], level: 'error' }, { urls: ['b://2'] }, null, { urls: ['a://1'], level: 'info' });
  t.same(merged, { urls: ['a://1', 'b://2'], level: 'info' });
  t.equal(shouldNotify('error', 'failed'), true);
  t.equal(shouldNotify('error', 'succeeded'), false);
  t.equal(shouldNotify('error', 'cancelled'), false);
  t.equal(shouldNotify('info', 'succeeded'), true);
});

t.test('level error: a failed backup sends one notice, a successful one none; info sends both', async (t) => {
  const rx = await startReceiver(t);
  const url = 'generic://hooks.example.com/in?template=json';
  const attempts: DeliveryAttempt[] = [];
  const n = createNotifier({ config: config([url]), record: (a) => attempts.push(a), send: { endpointOverride: rx.origin } });
  t.equal(n.notify(succeeded).queued, 0);
  const r = n.notify(failed);
  t.equal(r.queued, 1);
  await n.idle();
  t.equal(rx.requests.length, 1);
  t.same(JSON.parse(rx.requests[0].body), { title: r.message.title, message: r.message.body });
  t.match(attempts, [{ service: 'generic', attempt: 1, ok: true, status: 200 }]);

  const info = createNotifier({ config: config([url], 'info'), send: { endpointOverride: rx.origin } });
  info.notify(succeeded);
  info.notify(failed);
  await info.idle();
  t.equal(rx.requests.length, 3);
  // An account override can raise the level for its own jobs.
  const raised = createNotifier({ config: config([url]), send: { endpointOverride: rx.origin } });
  t.equal(raised.notify(succeeded, { level: 'info' }).queued, 1);
  await raised.idle();
  t.equal(rx.requests.length, 4);
});

t.test('notify() returns before a slow receiver answers and never throws', async (t) => {
  const rx = await startReceiver(t, () => ({ delayMs: 1000 }));
  const attempts: DeliveryAttempt[] = [];
  const logged: unknown[] = [];
  const log = { warn: (obj: object, msg?: string) => logged.push(['warn', obj, msg]), error: (obj: object, msg?: string) => logged.push(['error', obj, msg]) };
  const n = createNotifier({ config: config(['ntfy://u:SECRETntfy@ntfy.example.com/topic', 'nonsense://x', 'telegram://bad:SECRETx@telegram']), log, record: (a) => attempts.push(a), send: { endpointOverride: rx.origin } });
  const r = n.notify({ ...failed, jobId: 'job-7' });
  t.equal(r.queued, 3);
  t.equal(rx.requests.length, 0, 'nothing sent yet when notify returns');
  await n.idle();
  t.equal(rx.requests.length, 1);
  t.equal(attempts.length, 3, 'bad URLs are recorded as failed attempts');
  t.equal(attempts.filter((a) => a.ok).length, 1);
  t.ok(attempts.every((a) => a.jobId === 'job-7'), 'attempts carry the job id');
  t.notMatch(JSON.stringify(attempts), /SECRET/);
  t.equal(logged.length, 2, 'the two rejected URLs are logged');
  t.match(logged, [['error', { jobId: 'job-7', account: failed.account, code: 'AGENT_E_NOTIFY_URL' }], ['error', { jobId: 'job-7', code: 'AGENT_E_NOTIFY_URL' }]], 'as errors naming the job, the account and the code');
  t.notMatch(JSON.stringify(logged), /SECRET/, 'logs hide secrets');
});

t.test('a throwing record callback does not escape', async (t) => {
  const rx = await startReceiver(t);
  const n = createNotifier({ config: config(['generic://h.example.com/']), record: () => { throw new Error('db locked'); }, send: { endpointOverride: rx.origin } });
  n.notify(failed);
  await n.idle();
  t.equal(rx.requests.length, 1);
});

t.test('testNotification: dry run sends nothing, otherwise reports the outcome', async (t) => {
  const rx = await startReceiver(t);
  const url = 'telegram://12345:SECRETtg@telegram?chats=@c';
  const dry = await testNotification(url, { dryRun: true, endpointOverride: rx.origin });
  t.equal(rx.requests.length, 0);
  t.match(dry, { requests: [{ method: 'POST', url: 'https://api.telegram.org/***/sendMessage', headers: { 'Content-Type': 'application/json' } }] });
  t.notMatch(JSON.stringify(dry), /SECRET/);
  const sent = await testNotification(url, { endpointOverride: rx.origin });
  t.same(sent, { ok: true, status: 200 });
  t.equal(rx.requests.length, 1);
  await t.rejects(testNotification('telegram://nope', { dryRun: true }), { code: 'AGENT_E_NOTIFY_URL' });
});
