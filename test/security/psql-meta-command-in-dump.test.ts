// An imported archive whose PostgreSQL dump carries psql client commands: `\! touch` (a shell
// as the daemon's user) and `\c other_db` (another tenant's database). Neither may take effect:
// the restore fails with AGENT_E_RESTORE_UNSAFE before the live database is dropped. Variants
// that try to hide a command from a scanner (inside a fake COPY, a BEGIN ATOMIC body, an
// ambiguous string or token) are refused too, while a real pg_dump with backslashes in its
// COPY data and E'' strings passes.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { postgresqlAvailable, startPostgresql } from '../peers/postgresql.ts';
import { craftArchive } from '../restore/crafted-archive.ts';
import { assertNoPsqlMetaCommands } from '../../src/restore/psql-meta-commands.ts';

t.setTimeout(300_000);
const pgAvail = postgresqlAvailable();
const ok = requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')
  && requirePeer(t, 'postgresql', pgAvail.ok, pgAvail.why);

if (ok) {
  const pg = await startPostgresql();
  t.teardown(() => pg.stop());

  t.test('\\! and \\c in an imported dump take no effect; the restore fails clearly and drops nothing', async (t) => {
    await pg.sql(`CREATE ROLE meta_owner LOGIN PASSWORD 'x'`);
    await pg.sql('CREATE DATABASE metadb OWNER meta_owner');
    await pg.sql('SET ROLE meta_owner; CREATE TABLE live (id int); INSERT INTO live VALUES (1), (2)', 'metadb');
    await pg.sql('CREATE DATABASE otherdb');
    const marker = path.join(os.tmpdir(), `hostagent-psql-bang-${process.pid}`);
    fs.rmSync(marker, { force: true });
    t.teardown(() => fs.rmSync(marker, { force: true }));
    const dump = [
      'SET client_encoding = \'UTF8\';',
      `\\! touch ${marker}`,
      'CREATE TABLE restored (id int);',
      '\\c otherdb',
      'CREATE TABLE pwned (id int);',
      '',
    ].join('\n');
    const archive = path.join(sharedTempDir(t), 'crafted.tar.gz');
    craftArchive(archive, [{ name: 'databases/', type: 'dir' }, { name: 'databases/metadb.sql', data: dump }], { username: 'meta', parts: ['databases'] });

    const tenant = await makeTenant(t, { profile: 'empty' });
    const d = await startDaemon(t, { config: { databases: { postgresql: pg.config }, restore: { safetySnapshot: false } } });
    const admin = await d.admin();
    await admin.call('account.put', { name: 'meta', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'postgresql', name: 'metadb' }] });
    const imported = await admin.call<{ snapshotId: string }>('snapshot.import', { path: archive });
    for (const mode of ['in-place', 'staging'] as const) {
      const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: imported.snapshotId, parts: ['databases'], target: { mode } });
      const job = await waitForJob(admin, jobId, 120_000);
      t.equal(job.status, 'failed', mode);
      t.equal(job.errcode, 'AGENT_E_RESTORE_UNSAFE', `${mode}: ${job.errtext}`);
      t.match(job.errtext ?? '', /line 2 holds a psql backslash command/);
    }
    t.notOk(fs.existsSync(marker), '\\! ran no shell');
    t.equal((await pg.sql(`SELECT count(*) FROM pg_tables WHERE tablename = 'pwned'`, 'otherdb')).trim(), '0', 'the other database is untouched');
    t.equal((await pg.sql('SELECT count(*) FROM live', 'metadb')).trim(), '2', 'the live database was not dropped');
    t.equal((await pg.sql(`SELECT count(*) FROM pg_database WHERE datname LIKE 'metadb\\_restore\\_%'`)).trim(), '0', 'no staged database was made');
  });

  t.test('commands hidden from a naive scan are refused', async (t) => {
    const dir = sharedTempDir(t);
    const hidden: Record<string, string> = {
      'after a statement on the same line': 'SELECT 1; \\! id\n',
      'fake COPY inside a string': "SELECT '\nCOPY x FROM stdin;\n';\n\\! id\n\\.\n",
      'COPY (query) TO stdout with FROM stdin inside': 'COPY (SELECT a FROM stdin) TO stdout;\n\\! id\n\\.\n',
      'COPY inside a BEGIN ATOMIC body': 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\nCOPY x FROM stdin;\n\\! id\n\\.\nEND;\n',
      'a quote escaped by a backslash': "SELECT 'a\\'; \\! id; '\n",
      'a hex-like token before a dollar quote': '0x$a$ junk $a$ \\! id $a$;\n',
      'text after FROM stdin': 'COPY x FROM stdin; \\! id\n\\.\n',
      '\\copy ... program': "\\copy x from program 'id'\n",
      '\\o to a file': '\\o /tmp/x\n',
      '\\set ON_ERROR_STOP off': '\\set ON_ERROR_STOP off\n',
    };
    for (const [what, sql] of Object.entries(hidden)) {
      const f = path.join(dir, 'x.sql');
      fs.writeFileSync(f, sql);
      await t.rejects(assertNoPsqlMetaCommands(f, 'dump'), { code: 'AGENT_E_RESTORE_UNSAFE' }, what);
    }
  });

  t.test('a real pg_dump with backslashes in COPY data and strings passes the scan', async (t) => {
    await pg.sql('CREATE DATABASE scandb');
    await pg.sql(`CREATE TABLE s (id int, t text, CHECK (t IS NULL OR t ~ E'^[^\\\\x01]*$'));
      INSERT INTO s VALUES (1, E'back\\\\slash\\ttab\\nnewline'), (2, NULL), (3, '\\. not an end');
      CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN E'\\\\! in a body'; END $body$;
      CREATE VIEW sv AS SELECT id, 'it''s' AS q FROM s;`, 'scandb');
    const f = path.join(sharedTempDir(t), 'real.sql');
    fs.writeFileSync(f, execFileSync('pg_dump', ['--format=plain', '--no-owner', '--no-privileges', 'scandb'], { env: pg.env }));
    t.ok(fs.readFileSync(f, 'utf8').includes('\\N'), 'the dump has COPY data with backslashes');
    await assertNoPsqlMetaCommands(f, 'dump');
  });
}
