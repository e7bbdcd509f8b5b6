// account.capabilities on the panel socket says why a tenant may not take a snapshot, in the same
// words (and with the same code) that backup.create then fails with.
import t from 'tap';
import { ManualClock } from '../../src/core/clock.ts';
import type { RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read homes as them')) t.end();

interface Capabilities { canBackup: boolean; reason?: string; message?: string; nextAllowedAt: string | null }

const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected backup.create to be refused'); }, (e: unknown) => e as RpcCallError);

t.test('each refusal has a stable reason and the message backup.create fails with', async (t) => {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const d = await startDaemon(t, { clock });
  const tenant = await makeTenant(t, { profile: 'empty' });
  const admin = await d.admin();
  const panel = await d.panel();
  const actor = { account: 'shop', session: 'panel-session-caps' };
  const capabilities = () => panel.call<Capabilities>('account.capabilities', { actor });
  const create = () => panel.call('backup.create', { account: 'shop', actor, scope: 'configuration' });

  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  let caps = await capabilities();
  t.match(caps, { canBackup: false, reason: 'no-package', message: /has no package/ }, 'no package: says so');
  let err = await refusal(create());
  t.equal(err.agentCode, 'AGENT_E_FORBIDDEN');
  t.equal(err.message, caps.message, 'backup.create fails with the same sentence');
  t.equal(err.data?.reason, 'no-package');

  await admin.call('package.put', { name: 'basic' });
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'basic' });
  caps = await capabilities();
  t.match(caps, { canBackup: false, reason: 'package-disallows', message: /package basic .*does not allow tenant snapshots/ }, 'a package without tenant backups');
  err = await refusal(create());
  t.same([err.agentCode, err.message, err.data?.reason], ['AGENT_E_FORBIDDEN', caps.message, 'package-disallows']);

  await admin.call('package.put', { name: 'basic', tenantBackups: { enabled: true, perDay: 0 } });
  t.equal((await capabilities()).reason, 'package-disallows', 'perDay 0 is a package that allows none');

  await admin.call('package.put', { name: 'basic', tenantBackups: { enabled: true, perDay: 1 } });
  caps = await capabilities();
  t.same([caps.canBackup, caps.reason, caps.message], [true, undefined, undefined], 'allowed: no reason at all');
  await create();

  caps = await capabilities();
  t.match(caps, { canBackup: false, reason: 'daily-limit-reached', message: /try later/ }, 'the day\'s snapshot is taken');
  t.equal(caps.nextAllowedAt, new Date(clock.now() + 24 * 3600_000).toISOString());
  err = await refusal(create());
  t.same([err.agentCode, err.message, err.data?.reason, err.data?.retryAt], ['AGENT_E_RATE_LIMITED', caps.message, 'daily-limit-reached', caps.nextAllowedAt]);
});
