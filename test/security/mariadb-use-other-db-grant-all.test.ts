// Imported archives whose MariaDB dump reaches out of its database: `USE other_db` and a table
// written there, `CREATE USER` with `GRANT ALL ON *.*`, and the client's `system` / `\!` shell
// commands. The dump is loaded by a temporary user with grants on the target only, through a
// client that runs no client commands: none of it takes effect, and the temporary user is gone.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { mariadbAvailable, startMariadb } from '../peers/mariadb.ts';
import { craftArchive } from '../restore/crafted-archive.ts';

t.setTimeout(300_000);
const maria = mariadbAvailable();
const ok = requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')
  && requirePeer(t, 'mariadb', maria.ok, maria.why);

if (ok) {
  const mdb = await startMariadb();
  t.teardown(() => mdb.stop());
  await mdb.sql('CREATE DATABASE shop; CREATE DATABASE other_db; CREATE TABLE other_db.secret (id INT); INSERT INTO other_db.secret VALUES (7);');
  const marker = path.join(os.tmpdir(), `hostagent-mariadb-system-${process.pid}`);
  t.teardown(() => { fs.rmSync(marker, { force: true }); fs.rmSync(`${marker}-2`, { force: true }); });

  const tenant = await makeTenant(t, { profile: 'empty' });
  const d = await startDaemon(t, { config: { databases: { mariadb: mdb.config }, restore: { safetySnapshot: false } } });
  const admin = await d.admin();
  await admin.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'mariadb', name: 'shop' }] });

  const restoreDump = async (t: Test, name: string, sql: string) => {
    const archive = path.join(sharedTempDir(t), `${name}.tar.gz`);
    craftArchive(archive, [{ name: 'databases/', type: 'dir' }, { name: 'databases/shop.sql', data: sql }], { username: 'shop', parts: ['databases'] });
    const imported = await admin.call<{ snapshotId: string }>('snapshot.import', { path: archive });
    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: imported.snapshotId, parts: ['databases'], target: { mode: 'in-place' } });
    return waitForJob(admin, jobId, 120_000);
  };
  const leftovers = async () => (await mdb.sql(`SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'hostagent\\\\_restore\\\\_%'`)).trim();

  t.test('USE other_db and writes into it fail', async (t) => {
    const job = await restoreDump(t, 'use', 'CREATE TABLE mine (id INT);\nUSE other_db;\nCREATE TABLE pwned (id INT);\nDROP TABLE other_db.secret;\n');
    t.equal(job.status, 'failed', `${job.errcode} ${job.errtext}`);
    t.match(job.errtext ?? '', /denied/i);
    t.equal((await mdb.sql(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'other_db' AND table_name = 'pwned'`)).trim(), '0', 'nothing created in other_db');
    t.equal((await mdb.sql('SELECT id FROM other_db.secret')).trim(), '7', 'other_db keeps its data');
    t.equal(await leftovers(), '0', 'the temporary user is dropped');
  });

  t.test('CREATE USER and GRANT ALL ON *.* fail', async (t) => {
    for (const sql of ["CREATE USER 'evil'@'%' IDENTIFIED BY 'x';\n", "GRANT ALL PRIVILEGES ON *.* TO CURRENT_USER WITH GRANT OPTION;\n", "GRANT ALL ON other_db.* TO CURRENT_USER;\n"]) {
      const job = await restoreDump(t, 'grant', `CREATE TABLE mine (id INT);\n${sql}`);
      t.equal(job.status, 'failed', `${sql.trim()}: ${job.errcode} ${job.errtext}`);
    }
    t.equal((await mdb.sql(`SELECT COUNT(*) FROM mysql.user WHERE User = 'evil'`)).trim(), '0', 'no user evil');
    t.equal(await leftovers(), '0', 'no temporary user is left, with or without grants');
  });

  t.test('system and \\! run no shell', async (t) => {
    const job = await restoreDump(t, 'system', `CREATE TABLE mine (id INT);\nsystem touch ${marker}\n\\! touch ${marker}-2\nINSERT INTO mine VALUES (1);\n`);
    t.equal(job.status, 'failed', `${job.errcode} ${job.errtext}`);
    t.notOk(fs.existsSync(marker), 'system ran nothing');
    t.notOk(fs.existsSync(`${marker}-2`), '\\! ran nothing');
  });

  t.test('a leftover restore user is dropped at daemon start', async (t) => {
    await mdb.sql(`CREATE USER 'hostagent_restore_0123456789abcdef'@'localhost' IDENTIFIED BY 'x'; GRANT ALL ON shop.* TO 'hostagent_restore_0123456789abcdef'@'localhost'`);
    t.equal(await leftovers(), '1');
    await startDaemon(t, { config: { databases: { mariadb: mdb.config } } });
    t.equal(await leftovers(), '0', 'dropped before the daemon listens');
  });
}
