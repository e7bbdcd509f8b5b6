// A WordPress-style MariaDB database with triggers, a stored procedure and function, a view and
// an event, and a PostgreSQL database with a view, a trigger function and a trigger, each owned
// by the account's own database user/role. Snapshot, wipe, restore in place: table checksums
// equal, every object back, owned by (MariaDB: defined by) the account's user, and working.
import t from 'tap';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { mariadbAvailable, startMariadb } from '../peers/mariadb.ts';
import { postgresqlAvailable, startPostgresql } from '../peers/postgresql.ts';

t.setTimeout(300_000);
const maria = mariadbAvailable();
const pgAvail = postgresqlAvailable();
const ok = requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')
  && requirePeer(t, 'mariadb', maria.ok, maria.why)
  && requirePeer(t, 'postgresql', pgAvail.ok, pgAvail.why);

if (ok) {
  const mdb = await startMariadb();
  t.teardown(() => mdb.stop());
  const pg = await startPostgresql();
  t.teardown(() => pg.stop());

  t.test('triggers, routines and views survive a restore with equal checksums', async (t) => {
    await mdb.sql(`CREATE DATABASE wp CHARACTER SET utf8mb4; CREATE USER 'wp_user'@'localhost' IDENTIFIED BY 'wp-pw'; GRANT ALL ON wp.* TO 'wp_user'@'localhost';`);
    // The objects are created as the tenant's user would, so their definer is wp_user.
    await mdb.sql(`USE wp;
      CREATE TABLE wp_posts (ID BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT, post_title TEXT, post_content LONGTEXT, post_status VARCHAR(20) DEFAULT 'publish', post_modified DATETIME);
      CREATE TABLE wp_postmeta (meta_id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT, post_id BIGINT UNSIGNED, meta_key VARCHAR(255), meta_value LONGTEXT);
      CREATE TABLE wp_audit (id INT PRIMARY KEY AUTO_INCREMENT, post_id BIGINT UNSIGNED, action VARCHAR(10));
      INSERT INTO wp_posts (post_title, post_content, post_modified) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 400)
        SELECT CONCAT('Beitrag ', n, ' – 東京'), REPEAT(CONCAT('<p>Absatz ', n, ' \\\\ "quoted" </p>'), n % 13), '2025-01-01' + INTERVAL n HOUR FROM s;
      INSERT INTO wp_postmeta (post_id, meta_key, meta_value) SELECT ID, '_edit_lock', CONCAT(ID, ':1') FROM wp_posts;
      CREATE DEFINER='wp_user'@'localhost' TRIGGER wp_posts_ai AFTER INSERT ON wp_posts FOR EACH ROW INSERT INTO wp_audit (post_id, action) VALUES (NEW.ID, 'insert');
      CREATE DEFINER='wp_user'@'localhost' TRIGGER wp_posts_bu BEFORE UPDATE ON wp_posts FOR EACH ROW SET NEW.post_modified = '2030-01-01';
      CREATE DEFINER='wp_user'@'localhost' PROCEDURE wp_count(OUT c INT) SELECT COUNT(*) INTO c FROM wp_posts;
      CREATE DEFINER='wp_user'@'localhost' FUNCTION wp_title(i BIGINT) RETURNS TEXT READS SQL DATA RETURN (SELECT post_title FROM wp_posts WHERE ID = i);
      CREATE DEFINER='wp_user'@'localhost' SQL SECURITY DEFINER VIEW wp_published AS SELECT ID, post_title FROM wp_posts WHERE post_status = 'publish';
      CREATE DEFINER='wp_user'@'localhost' EVENT wp_cleanup ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM wp_audit WHERE id < 0;`);
    await pg.sql(`CREATE ROLE blog_role LOGIN PASSWORD 'blog-pw'`);
    await pg.sql('CREATE DATABASE blog OWNER blog_role');
    await pg.sql(`SET ROLE blog_role;
      CREATE TABLE posts (id int PRIMARY KEY, title text, updated timestamptz);
      CREATE TABLE audit (post_id int, op text);
      CREATE FUNCTION log_post() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NEW.id, TG_OP); RETURN NEW; END $$;
      CREATE TRIGGER posts_log AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION log_post();
      INSERT INTO posts SELECT n, 'Titel ' || n || E' \\\\ back', '2025-01-01'::timestamptz + n * interval '1 day' FROM generate_series(1, 300) n;
      CREATE VIEW recent AS SELECT id, title FROM posts WHERE id > 250;`, 'blog');

    const mariaPrint = async () => (await mdb.sql('CHECKSUM TABLE wp_posts, wp_postmeta, wp_audit', 'wp')).trim();
    const mariaObjects = async () => (await mdb.sql(`SELECT CONCAT('trigger ', TRIGGER_NAME, ' ', DEFINER) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'wp'
      UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME, ' ', DEFINER) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'wp'
      UNION ALL SELECT CONCAT('view ', TABLE_NAME, ' ', DEFINER) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'wp'
      UNION ALL SELECT CONCAT('event ', EVENT_NAME, ' ', DEFINER) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'wp' ORDER BY 1`)).trim();
    const pgPrint = async () => (await pg.sql(`SELECT count(*), md5(string_agg(p::text, '|' ORDER BY id)) FROM posts p`, 'blog')).trim()
      + (await pg.sql(`SELECT count(*) FROM audit`, 'blog')).trim();
    const pgObjects = async () => (await pg.sql(`SELECT 'table ' || tablename || ' ' || tableowner FROM pg_tables WHERE schemaname = 'public'
      UNION ALL SELECT 'view ' || viewname || ' ' || viewowner FROM pg_views WHERE schemaname = 'public'
      UNION ALL SELECT 'function ' || proname || ' ' || pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`, 'blog')).trim();
    const before = { maria: await mariaPrint(), mariaObjects: await mariaObjects(), pg: await pgPrint(), pgObjects: await pgObjects() };
    t.match(before.mariaObjects, /trigger wp_posts_ai wp_user@localhost/);

    const tenant = await makeTenant(t, { profile: 'empty' });
    const d = await startDaemon(t, { config: { databases: { mariadb: mdb.config, postgresql: pg.config }, restore: { safetySnapshot: false } } });
    const admin = await d.admin();
    await admin.call('account.put', { name: 'wp', uid: tenant.uid, gid: tenant.gid, home: tenant.home, databases: [{ engine: 'mariadb', name: 'wp' }, { engine: 'postgresql', name: 'blog' }] });
    const { snapshot } = await backupAndWait(admin, { account: 'wp', scope: 'full' });
    await mdb.sql('DROP TABLE wp_posts; DROP VIEW wp_published; DROP PROCEDURE wp_count;', 'wp');
    await pg.sql('DROP VIEW recent; DROP TABLE posts', 'blog');

    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['databases'], target: { mode: 'in-place' } });
    const job = await waitForJob(admin, jobId, 200_000);
    t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);
    t.equal(await mariaPrint(), before.maria, 'MariaDB checksums equal');
    t.equal(await mariaObjects(), before.mariaObjects, 'MariaDB triggers, routines, view and event back, defined by wp_user');
    t.equal(await pgPrint(), before.pg, 'PostgreSQL rows equal');
    t.equal(await pgObjects(), before.pgObjects, 'PostgreSQL tables, view, function and trigger back, owned by blog_role');

    // The restored objects work, running as their definer.
    await mdb.sql(`INSERT INTO wp_posts (post_title) VALUES ('new'); UPDATE wp_posts SET post_title = 'x' WHERE ID = 1;`, 'wp');
    t.equal((await mdb.sql(`SELECT action FROM wp_audit ORDER BY id DESC LIMIT 1`, 'wp')).trim(), 'insert', 'the insert trigger fires');
    t.equal((await mdb.sql(`SELECT post_modified FROM wp_posts WHERE ID = 1`, 'wp')).trim(), '2030-01-01 00:00:00', 'the update trigger fires');
    t.equal((await mdb.sql(`CALL wp_count(@c); SELECT @c`, 'wp')).trim(), '401', 'the procedure runs');
    t.equal((await mdb.sql(`SELECT wp_title(2)`, 'wp')).trim(), 'Beitrag 2 – 東京', 'the function runs');
    t.equal((await mdb.sql(`SELECT COUNT(*) FROM wp_published`, 'wp')).trim(), '401', 'the view answers');
    await pg.sql(`INSERT INTO posts VALUES (1000, 'new', now())`, 'blog');
    t.equal((await pg.sql(`SELECT op FROM audit WHERE post_id = 1000`, 'blog')).trim(), 'INSERT', 'the PostgreSQL trigger fires');
    t.equal((await mdb.sql(`SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'hostagent\\\\_restore\\\\_%'`)).trim(), '0', 'no temporary MariaDB user left');
    t.equal((await pg.sql(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'hostagent\\_restore\\_%'`)).trim(), '0', 'no temporary PostgreSQL role left');
  });
}
