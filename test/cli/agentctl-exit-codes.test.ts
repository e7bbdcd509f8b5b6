import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { freePort } from '../peers/free-port.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

// What a command reports as failed exits 1 through the real binary, after printing the failure:
// cron and scripts see the outcome, not only the transport.
t.test('failed outcomes exit 1', async (t) => {
  const d = await startDaemon(t, { config: { scheduler: { uploadAttempts: 1, uploadRetryBaseMs: 1 } } });
  const tenant = await makeTenant(t);
  const g = ['--dev', d.dir];
  // A home that goes away after the account was saved: the call itself fails.
  const gone = path.join(sharedTempDir(t), 'removed-home');
  fs.mkdirSync(gone);
  fs.chownSync(gone, tenant.uid, tenant.gid);
  const put = await agentctl([...g, 'account', 'put', 'lost', '--uid', String(tenant.uid), '--gid', String(tenant.gid), '--home', gone]);
  t.equal(put.status, 0, put.stderr);
  fs.rmdirSync(gone);
  const refused = await agentctl([...g, 'backup', 'create', 'lost', '--wait']);
  t.equal(refused.status, 1, `a backup that cannot start exits 1: ${refused.stdout}${refused.stderr}`);
  t.match(refused.stderr, /AGENT_E_SOURCE_READ/);

  const port = await freePort();
  const dest = await agentctl([...g, 'destination', 'put', 'down', 'sftp', 'host=127.0.0.1', `port=${port}`, 'user=nobody', 'password=wrong', 'path=/x', 'timeoutSeconds=5']);
  t.equal(dest.status, 0, dest.stderr);
  // A job that starts and then fails: its destination is down.
  t.equal((await agentctl([...g, 'account', 'put', 'shop', '--uid', String(tenant.uid), '--gid', String(tenant.gid), '--home', tenant.home])).status, 0);
  const backup = await agentctl([...g, 'backup', 'create', 'shop', '--scope', 'configuration', '--destination', 'down', '--wait']);
  t.equal(backup.status, 1, `a failed backup job exits 1: ${backup.stdout}${backup.stderr}`);
  t.match(backup.stderr, /backup failed: AGENT_E_\w+/);
  const test = await agentctl([...g, 'destination', 'test', 'down']);
  t.equal(test.status, 1, `a destination test that fails exits 1: ${test.stdout}${test.stderr}`);
  t.match(test.stdout, /down: failed/);

  const notify = await agentctl([...g, 'notify', 'test', `generic+http://127.0.0.1:${port}/hook`]);
  t.equal(notify.status, 1, `a notification that is not delivered exits 1: ${notify.stdout}${notify.stderr}`);

  const ok = await agentctl([...g, 'notify', 'test', `generic+http://127.0.0.1:${port}/hook`, '--dry-run']);
  t.equal(ok.status, 0, `a dry run that renders exits 0: ${ok.stderr}`);
  const scope = await agentctl([...g, 'backup', 'create', 'lost', '--scope', 'fulll']);
  t.equal(scope.status, 2, 'a value outside the enum is a usage error');
  t.match(scope.stderr, /--scope must be one of full, hosting, mail, configuration \(got fulll\)/);
  t.match(scope.stderr, /usage: agentctl backup create ACCOUNT/);
  t.notOk(fs.existsSync(gone), 'the failed backup created nothing in place of the home');
});
