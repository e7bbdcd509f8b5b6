// An account whose database server is down, through the daemon: backup.create and
// backup.estimate fail with AGENT_E_DB_UNAVAILABLE naming the engine, the database and the
// phase; the create's message never speaks of an estimate, and no job is left behind.
import t from 'tap';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { freePort } from '../peers/free-port.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('backup.create and backup.estimate name the unreachable database, engine and phase', async (t) => {
  const port = await freePort();
  const tenant = await makeTenant(t);
  const d = await startDaemon(t, { config: { databases: {
    mariadb: { host: '127.0.0.1', port, password: 'Db-S3cret-pw' },
    postgresql: { host: path.join(tenant.home, 'no-postgres-here') },
  } } });
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'mariadb', name: 'shop_wp' }] });
  await c.call('account.put', { name: 'blog', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'postgresql', name: 'blog_app' }] });

  for (const [account, engine, db] of [['shop', 'mariadb', 'shop_wp'], ['blog', 'postgresql', 'blog_app']] as const) {
    const created = await c.call('backup.create', { account, scope: 'hosting' }).catch((e: unknown) => e) as Error & { data: Record<string, unknown> };
    t.match(created, { message: new RegExp(`^${engine} database "${db}" of account ${account}: the server cannot be reached \\(phase: size check before the backup\\)`), data: { code: 'AGENT_E_DB_UNAVAILABLE', engine, databases: [db], phase: 'size check before the backup' } }, `${account}: backup.create`);
    t.notMatch(created.message, /estimat/i, 'a create does not speak of an estimate');
    const estimated = await c.call('backup.estimate', { account, scope: 'full' }).catch((e: unknown) => e);
    t.match(estimated, { message: new RegExp(`^${engine} database "${db}" of account ${account}: the server cannot be reached \\(phase: estimate\\)`), data: { code: 'AGENT_E_DB_UNAVAILABLE', engine, phase: 'estimate' } }, `${account}: backup.estimate`);
    t.match(d.logs.filter((l) => l.account === account && l.code === 'AGENT_E_DB_UNAVAILABLE'), [{ level: 'error', msg: /^backup could not start/, summary: created.message }], 'the refused backup is an error line in the journal');
  }
  t.same((await c.call<{ jobs: unknown[] }>('job.list', {})).jobs, [], 'no job was queued');
  // Files alone need no database: the same accounts back up their configuration.
  t.match(await c.call('backup.estimate', { account: 'shop', scope: 'configuration' }), { databases: 0 });
  t.notMatch(JSON.stringify(d.logs), /Db-S3cret-pw/);
});
