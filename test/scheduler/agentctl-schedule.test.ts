// agentctl destination put|list|test and schedule put|list|run|next against a real daemon.
import t from 'tap';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('agentctl destination and schedule commands', async (t) => {
  const d = await startDaemon(t);
  const sock = ['--socket', d.daemon.config.rpc.adminSocket];
  const c = await d.admin();
  const tenant = await makeTenant(t, { profile: 'empty' });
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const dir = tempDir(t, 'hostagent-dest-');

  const put = await agentctl([...sock, '--json', 'destination', 'put', 'here', 'local', `directory=${dir}`]);
  t.equal(put.status, 0, put.stderr);
  t.equal(JSON.parse(put.stdout).settings.directory, dir);
  const bad = await agentctl([...sock, 'destination', 'put', 'bad', 'local', 'directory=relative']);
  t.equal(bad.status, 1, 'bad settings fail');
  t.match(bad.stderr, /directory/);
  t.match((await agentctl([...sock, 'destination', 'list'])).stdout, /here\s+local/);
  const probe = await agentctl([...sock, 'destination', 'test', 'here']);
  t.equal(probe.status, 0, probe.stderr);
  t.match(probe.stdout, /here: ok/);

  const sput = await agentctl([...sock, '--json', 'schedule', 'put', 'nightly', '--cron', '30 2 * * *', '--timezone', 'Europe/Paris', '--account', 'shop',
    '--scope', 'configuration', '--dest', 'here', '--keep-last', '3', '--keep-weekly', '2']);
  t.equal(sput.status, 0, sput.stderr);
  t.match(JSON.parse(sput.stdout), { id: 'nightly', timezone: 'Europe/Paris', target: { account: 'shop' }, retention: { keepLast: 3, keepWeekly: 2 }, enabled: true });
  t.equal((await agentctl([...sock, 'schedule', 'put', 'x', '--cron', '* * * * *', '--dest', 'here'])).status, 2, 'a target is required');
  t.match((await agentctl([...sock, 'schedule', 'list'])).stdout, /nightly\s+30 2 \* \* \*/);
  const next = (await agentctl([...sock, 'schedule', 'next', 'nightly'])).stdout.trim().split('\n');
  t.equal(next.length, 5);
  for (const line of next) t.match(line, /T0[01]:30:00\.000Z$/, '02:30 in Paris is 00:30 or 01:30 UTC');
  const ran = await agentctl([...sock, '--json', 'schedule', 'run', 'nightly']);
  t.equal(ran.status, 0, ran.stderr);
  const { queued } = JSON.parse(ran.stdout) as { queued: { account: string; jobId: string }[] };
  t.same(queued.map((q) => q.account), ['shop']);
  t.equal((await waitForJob(c, queued[0]!.jobId)).status, 'succeeded');
});
