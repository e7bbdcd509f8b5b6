// What an admin reads in the journal: a real hostagentd's stdout, one JSON line per job start
// and end, failures at error with the job, the account, the code and the figures, failed
// destinations and notifications the same way, a backup that cannot start too, and no planted
// secret in any spelling.
import t from 'tap';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { makeTenant, waitFor } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { RpcClient } from '../../src/client/index.ts';
import { freePort } from '../peers/free-port.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const SECRETS = { destination: 'DeStPaSsWoRd-7d1x', notification: 'NoTiFyToKeN-93fq', database: 'DbPaSsWoRd-4c2z' };

/** The ways a secret could leak: as is, URL- or base64-encoded, in any case. */
function spellings(secret: string): RegExp[] {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')];
  return forms.map((f) => new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
}

type Line = Record<string, unknown>;
const lines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Line);

t.test('job starts, ends and failures, destination and notification failures reach stdout as JSON lines without secrets', async (t) => {
  const dir = tempDir(t);
  const [notifyPort, sftpPort, dbPort] = [await freePort(), await freePort(), await freePort()];
  writeDevConfig(dir, {
    log: { level: 'info' },
    notifications: { urls: [`generic+http://127.0.0.1:${notifyPort}/hook?token=${SECRETS.notification}`], level: 'info', retry: { attempts: 1, baseDelayMs: 0 }, timeoutMs: 2000 },
    scheduler: { uploadAttempts: 1, uploadRetryBaseMs: 1 },
    databases: { mariadb: { host: '127.0.0.1', port: dbPort, password: SECRETS.database }, postgresql: { enabled: false } },
  });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const c = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  t.teardown(() => c.close());
  const tenant = await makeTenant(t);
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  await c.call('destination.put', { name: 'down', type: 'sftp', host: '127.0.0.1', port: sftpPort, user: 'backup', password: SECRETS.destination, trustOnFirstUse: true, timeoutSeconds: 5 });

  // A backup that cannot start: its database server is down (the planted password is in play).
  await c.call('account.put', { name: 'dbshop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'mariadb', name: 'shop_wp' }] });
  await t.rejects(c.call('backup.create', { account: 'dbshop', scope: 'hosting' }), { message: /shop_wp/, data: { code: 'AGENT_E_DB_UNAVAILABLE' } });

  const ok = await c.call<{ jobId: string }>('backup.create', { account: 'shop', scope: 'hosting' });
  t.equal((await waitForJob(c, ok.jobId)).status, 'succeeded');
  const bad = await c.call<{ jobId: string }>('backup.create', { account: 'shop', scope: 'hosting', destinations: ['down'] });
  const failed = await waitForJob(c, bad.jobId);
  t.equal(failed.status, 'failed');
  t.match(failed.errcode, /^AGENT_E_DEST_/);

  // Both jobs notify (level info) and both notices fail: nothing listens on that port.
  await waitFor(() => (lines(d.stdout()).filter((l) => l.msg && String(l.msg).startsWith('notification not delivered')).length >= 2 ? true : undefined), 60000, 'two failed notices in the log');
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0);
  const log = lines(d.stdout());

  const of = (jobId: string, msg: RegExp) => log.filter((l) => l.jobId === jobId && msg.test(String(l.msg)));
  for (const jobId of [ok.jobId, bad.jobId]) {
    t.match(of(jobId, /^job started/), [{ level: 'info', jobId, account: 'shop', kind: 'backup', status: 'running' }], `one start line for ${jobId}`);
  }
  t.match(of(ok.jobId, /^job succeeded/), [{ level: 'info', account: 'shop', status: 'succeeded', code: null, durationMs: Number, bytes: Number, files: Number }], 'the success line carries durations and bytes');
  t.ok((of(ok.jobId, /^job succeeded/)[0]?.bytes as number) > 0, 'bytes of the archive');
  const failLine = of(bad.jobId, /^job failed/);
  t.match(failLine, [{ level: 'error', account: 'shop', status: 'failed', code: failed.errcode, summary: failed.errtext, durationMs: Number, bytes: Number }], 'the failure line is an error with the code and the summary');
  t.match(String(failLine[0]?.msg), failed.errcode!, 'the message itself names the code');
  t.match(of(bad.jobId, /^destination down failed/), [{ level: 'error', account: 'shop', destination: 'down', code: /^AGENT_E_DEST_/, summary: String }], 'the destination failure is its own error line');
  for (const jobId of [ok.jobId, bad.jobId]) {
    t.match(of(jobId, /^notification not delivered/), [{ level: 'error', account: 'shop', code: 'AGENT_E_NOTIFY_SEND', summary: String, url: /^generic/ }], `the failed notice of ${jobId} is an error line`);
  }

  t.match(log.filter((l) => l.account === 'dbshop'), [{ level: 'error', jobId: null, code: 'AGENT_E_DB_UNAVAILABLE', summary: /mariadb database "shop_wp" of account dbshop: the server cannot be reached/, msg: /^backup could not start/ }], 'the backup that could not start is an error line');

  const journal = d.stdout() + d.stderr();
  for (const [what, secret] of Object.entries(SECRETS)) {
    for (const re of spellings(secret)) t.notMatch(journal, re, `no ${what} secret (${re.source}) in the log`);
  }
});
