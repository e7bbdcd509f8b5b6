// A tenant's PostgreSQL role plants a function that makes itself superuser whenever it runs as
// one, and uses it in a CHECK constraint. The tenant then snapshots and restores its database.
// The restore must load the dump as the database's owner: the role stays non-superuser, the
// data is back, the restored database and its objects belong to the tenant's role, and no
// temporary restore role is left.
import t from 'tap';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { postgresqlAvailable, startPostgresql } from '../peers/postgresql.ts';

t.setTimeout(300_000);
const pgAvail = postgresqlAvailable();
const ok = requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')
  && requirePeer(t, 'postgresql', pgAvail.ok, pgAvail.why);

if (ok) {
  const pg = await startPostgresql();
  t.teardown(() => pg.stop());

  t.test('a CHECK function that grants SUPERUSER to its role gains nothing on restore', async (t) => {
    await pg.sql(`CREATE ROLE tenant_pg LOGIN PASSWORD 'tenant-pw' NOSUPERUSER`);
    await pg.sql('CREATE DATABASE tenantdb OWNER tenant_pg');
    await pg.sql(`SET ROLE tenant_pg;
      CREATE FUNCTION public.escalate() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('is_superuser') = 'on' THEN EXECUTE 'ALTER ROLE tenant_pg SUPERUSER'; END IF;
        RETURN true;
      END $$;
      CREATE TABLE public.orders (id int PRIMARY KEY, note text, CHECK (public.escalate()));
      INSERT INTO public.orders SELECT n, 'order ' || n FROM generate_series(1, 300) n;`, 'tenantdb');
    const superuser = async () => (await pg.sql(`SELECT rolsuper FROM pg_roles WHERE rolname = 'tenant_pg'`)).trim();
    t.equal(await superuser(), 'f', 'the role starts as non-superuser');
    const print = async () => (await pg.sql(`SELECT count(*), md5(string_agg(o::text, '|' ORDER BY id)) FROM public.orders o`, 'tenantdb')).trim();
    const before = await print();

    const tenant = await makeTenant(t, { profile: 'empty' });
    const d = await startDaemon(t, { config: { databases: { postgresql: pg.config }, restore: { safetySnapshot: false } } });
    const admin = await d.admin();
    await admin.call('account.put', { name: 'esc', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'postgresql', name: 'tenantdb' }] });
    const { snapshot } = await backupAndWait(admin, { account: 'esc', scope: 'full' });
    for (const mode of ['in-place', 'staging'] as const) {
      const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['databases'], target: { mode } });
      const job = await waitForJob(admin, jobId, 120_000);
      t.equal(job.status, 'succeeded', `${mode}: ${job.errcode} ${job.errtext}`);
      t.equal(await superuser(), 'f', `${mode}: the tenant's role is still not a superuser`);
    }
    t.equal(await print(), before, 'the rows are restored');
    const staged = (await pg.sql(`SELECT datname FROM pg_database WHERE datname LIKE 'tenantdb\\_restore\\_%'`)).trim();
    t.match(staged, /^tenantdb_restore_\d{8}T\d{6}Z$/, 'a staged copy');
    for (const db of ['tenantdb', staged]) {
      t.equal((await pg.sql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'`)).trim(), 'tenant_pg', `${db} is owned by the tenant's role`);
      t.equal((await pg.sql(`SELECT tableowner FROM pg_tables WHERE tablename = 'orders'`, db)).trim(), 'tenant_pg', `${db}: the table is owned by the tenant's role`);
      t.equal((await pg.sql(`SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'escalate'`, db)).trim(), 'tenant_pg', `${db}: the function is owned by the tenant's role`);
    }
    t.equal((await pg.sql(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'hostagent\\_restore\\_%'`)).trim(), '0', 'no temporary restore role is left');
  });

  t.test('a database owned by a superuser is not restored, and nothing is dropped', async (t) => {
    await pg.sql('CREATE DATABASE admindb');
    await pg.sql('CREATE TABLE keep (id int); INSERT INTO keep VALUES (1), (2)', 'admindb');
    const tenant = await makeTenant(t, { profile: 'empty' });
    const d = await startDaemon(t, { config: { databases: { postgresql: pg.config }, restore: { safetySnapshot: false } } });
    const admin = await d.admin();
    await admin.call('account.put', { name: 'adm', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'postgresql', name: 'admindb' }] });
    const { snapshot } = await backupAndWait(admin, { account: 'adm', scope: 'full' });
    await pg.sql('INSERT INTO keep VALUES (3)', 'admindb');
    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['databases'], target: { mode: 'in-place' } });
    const job = await waitForJob(admin, jobId, 120_000);
    t.equal(job.status, 'failed');
    t.equal(job.errcode, 'AGENT_E_INVALID', job.errtext ?? '');
    t.match(job.errtext ?? '', /superuser/);
    t.equal((await pg.sql('SELECT count(*) FROM keep', 'admindb')).trim(), '3', 'the live database is untouched');
  });

  t.test('a restore role left by a crash is dropped at daemon start, with what it was granted', async (t) => {
    await pg.sql(`CREATE ROLE hostagent_restore_00aa11bb22cc33dd LOGIN PASSWORD 'x'`);
    await pg.sql('CREATE DATABASE crashdb');
    await pg.sql('CREATE TABLE t (id int); GRANT SELECT ON t TO hostagent_restore_00aa11bb22cc33dd', 'crashdb');
    await startDaemon(t, { config: { databases: { postgresql: pg.config } } });
    t.equal((await pg.sql(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'hostagent\\_restore\\_%'`)).trim(), '0', 'dropped before the daemon listens');
  });
}
