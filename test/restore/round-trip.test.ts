// The whole account round trip on real peers: a sample home of the wordpress profile (~24k
// files, 1.1 GiB), one MariaDB and one PostgreSQL database, a Maildir and a DNS zone. Snapshot, wipe, restore in
// place, then compare with independent tools: GNU find + sha256sum for the tree, the database
// clients for row counts and checksums, the Maildir's files, named-checkzone. Then the same
// snapshot staged: new database names, a Restored-<stamp> mail folder, a zone beside the live one.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { IS_ROOT, requirePeer, hasCommand } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { mariadbAvailable, startMariadb } from '../peers/mariadb.ts';
import { postgresqlAvailable, startPostgresql } from '../peers/postgresql.ts';
import { makeMaildir, maildirFiles } from '../sources/mail/make-maildir.ts';
import { treeListing, treeDifferences } from './tree-listing.ts';
import { agentctl } from '../helpers/agentctl.ts';

t.setTimeout(600_000);
const maria = mariadbAvailable();
const pgAvail = postgresqlAvailable();
const ok = requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')
  && requirePeer(t, 'mariadb', maria.ok, maria.why)
  && requirePeer(t, 'postgresql', pgAvail.ok, pgAvail.why)
  && requirePeer(t, 'named-checkzone', hasCommand('named-checkzone'), 'bind9-utils not installed');

const ZONE = `$ORIGIN example.test.
$TTL 3600
@   IN SOA ns1.example.test. hostmaster.example.test. ( 2026112201 7200 3600 1209600 3600 )
    IN NS  ns1.example.test.
    IN MX  10 mail.example.test.
ns1 IN A   192.0.2.1
www IN A   192.0.2.10
mail IN A  192.0.2.20
`;

if (ok) {
  const mdb = await startMariadb();
  t.teardown(() => mdb.stop());
  const pg = await startPostgresql();
  t.teardown(() => pg.stop());

  await mdb.sql(`CREATE DATABASE shopdb CHARACTER SET utf8mb4; USE shopdb;
    CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100), price DECIMAL(10,2), blobby BLOB);
    INSERT INTO items WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500)
      SELECT n, CONCAT('Artikel Größe ', n, ' 東京'), n * 0.99, UNHEX(SHA2(n, 256)) FROM s;`);
  // A tenant database as a panel makes it: owned by the account's own role, which the restore loads as.
  await pg.sql(`CREATE ROLE blog_owner LOGIN PASSWORD 'blog-pw'`);
  await pg.sql('CREATE DATABASE blogdb OWNER blog_owner');
  await pg.sql(`SET ROLE blog_owner; CREATE TABLE posts (id int PRIMARY KEY, title text, body text, at timestamptz);
    INSERT INTO posts SELECT n, 'Beitrag ' || n || ' ☃', repeat('x', n % 97), '2025-01-01'::timestamptz + n * interval '1 hour' FROM generate_series(1, 700) n;`, 'blogdb');

  const mariaPrint = async (db: string) => ({
    count: (await mdb.sql('SELECT COUNT(*) FROM items', db)).trim(),
    checksum: (await mdb.sql('CHECKSUM TABLE items', db)).trim().split('\t')[1],
  });
  const pgPrint = async (db: string) => (await pg.sql('SELECT count(*), md5(string_agg(p::text, \'|\' ORDER BY id)) FROM posts p', db)).trim();

  t.test('snapshot, wipe, restore in place: files, databases, mail and DNS identical', async (t) => {
    const parent = sharedTempDir(t);
    const tenant = await makeTenant(t, { profile: 'wordpress', parent });
    const maildir = path.join(parent, `mail-${tenant.user}`, 'Maildir');
    const generated = makeMaildir(maildir, 40, { uid: tenant.uid, gid: tenant.gid });
    fs.chownSync(path.dirname(maildir), tenant.uid, tenant.gid);
    const zoneDir = sharedTempDir(t, 'hostagent-zones-');
    const zoneFile = path.join(zoneDir, 'example.test.zone');
    fs.writeFileSync(zoneFile, ZONE);

    const d = await startDaemon(t, { config: { databases: { mariadb: mdb.config, postgresql: pg.config } } });
    const admin = await d.admin();
    await admin.call('account.put', {
      name: 'acme', uid: tenant.uid, gid: tenant.gid, home: tenant.home,
      databases: [{ engine: 'mariadb', name: 'shopdb' }, { engine: 'postgresql', name: 'blogdb' }],
      mailboxes: [{ address: 'info@example.test', maildir }],
      zones: [{ name: 'example.test', file: zoneFile }],
    });
    const tree = new Map([...(await treeListing(tenant.home))].filter(([p]) => !/^\.ssh\/id_/.test(p)));
    const mail = maildirFiles(maildir);
    t.equal(mail.size, generated.length);
    const maria0 = await mariaPrint('shopdb');
    const pg0 = await pgPrint('blogdb');
    const { snapshot } = await backupAndWait(admin, { account: 'acme', scope: 'full' });
    t.ok(tree.size > 20_000, `${tree.size} entries in the home`);

    // Wipe: the home's content, the tables, the mail; a message that arrives later must survive.
    for (const n of fs.readdirSync(tenant.home)) fs.rmSync(path.join(tenant.home, n), { recursive: true, force: true });
    await mdb.sql('DROP TABLE items', 'shopdb');
    await pg.sql('DROP TABLE posts', 'blogdb');
    for (const k of mail.keys()) fs.rmSync(path.join(maildir, k));
    const late = path.join(maildir, 'new', '1800000000.M1P1.host');
    fs.writeFileSync(late, 'Subject: arrived after the snapshot\r\n\r\nhello\r\n');
    fs.chownSync(late, tenant.uid, tenant.gid);
    fs.writeFileSync(zoneFile, '; emptied by mistake\n');

    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, target: { mode: 'in-place' } });
    const job = await waitForJob(admin, jobId, 400_000);
    t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);

    const after = await treeListing(tenant.home);
    t.same(treeDifferences(tree, after), [], 'the home tree is identical');
    t.same(await mariaPrint('shopdb'), maria0, 'MariaDB rows and checksum equal');
    t.equal(await pgPrint('blogdb'), pg0, 'PostgreSQL rows and checksum equal');
    const mailAfter = maildirFiles(maildir);
    for (const [k, v] of mail) t.equal(mailAfter.get(k), v, `mail ${k}`);
    t.ok(fs.existsSync(late), 'mail that arrived after the snapshot is kept');
    t.equal(fs.statSync(path.join(maildir, '.Sent', 'cur')).uid, tenant.uid, 'mail folders owned by the mail owner');
    t.equal(fs.readFileSync(zoneFile, 'utf8'), ZONE, 'zone file restored');
    execFileSync('named-checkzone', ['example.test', zoneFile]);

    // Staging: the same snapshot next to the live data.
    const staged = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['databases', 'mail', 'dns'], target: { mode: 'staging' } });
    const sj = await waitForJob(admin, staged.jobId, 180_000);
    t.equal(sj.status, 'succeeded', `${sj.errcode} ${sj.errtext}`);
    const stamp = /^\d{8}T\d{6}Z$/;
    const mariaDbs = (await mdb.sql('SHOW DATABASES')).split('\n').filter((n) => n.startsWith('shopdb_restore_'));
    t.equal(mariaDbs.length, 1);
    t.match(mariaDbs[0]!.slice('shopdb_restore_'.length), stamp);
    t.same(await mariaPrint(mariaDbs[0]!), maria0, 'staged MariaDB copy equal');
    const pgDbs = (await pg.sql('SELECT datname FROM pg_database')).split('\n').filter((n) => n.startsWith('blogdb_restore_'));
    t.equal(pgDbs.length, 1);
    t.equal(await pgPrint(pgDbs[0]!), pg0, 'staged PostgreSQL copy equal');
    const restoredFolders = fs.readdirSync(maildir).filter((n) => /^\.Restored-\d{8}T\d{6}Z$/.test(n));
    t.equal(restoredFolders.length, 1, 'one Restored-<stamp> folder');
    const prefix = restoredFolders[0]!;
    const stagedMail = maildirFiles(maildir, (f) => f.startsWith(prefix));
    t.equal(stagedMail.size, mail.size, 'every message staged');
    for (const [k, v] of mail) t.equal(stagedMail.get(`${prefix}${k}`), v, `staged ${k}`);
    const zones = fs.readdirSync(zoneDir).filter((n) => n.startsWith('example.test.zone.restore-'));
    t.equal(zones.length, 1);
    t.equal(fs.readFileSync(path.join(zoneDir, zones[0]!), 'utf8'), ZONE);

    // The job names where it wrote: job.get's result, and agentctl job get.
    const result = (sj as unknown as { result: { mode: string; databases: string[]; mailFolder: string; zones: string[] } }).result;
    t.equal(result.mode, 'staging');
    t.same([...result.databases].sort(), [mariaDbs[0]!, pgDbs[0]!].sort(), 'the staged database names');
    t.equal(result.mailFolder, prefix.slice(1), 'the mail folder (Maildir++ keeps it as .NAME)');
    t.same(result.zones, [path.join(zoneDir, zones[0]!)]);
    const shown = await agentctl(['--socket', d.daemon.config.rpc.adminSocket, 'job', 'get', staged.jobId]);
    t.equal(shown.status, 0, shown.stderr);
    t.match(shown.stdout, new RegExp(`^result\\.databases\\s+.*${mariaDbs[0]}`, 'm'));
    t.match(shown.stdout, new RegExp(`^result\\.mailFolder\\s+${result.mailFolder}$`, 'm'));
  });
}
