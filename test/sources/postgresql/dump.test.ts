import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirePeer } from '../../helpers/peer.ts';
import { postgresqlAvailable, startPostgresql } from '../../peers/postgresql.ts';
import { makeSpyTool, entryBytes } from '../spy-tool.ts';
import { dumpPostgresql, estimatePostgresql, postgresqlDatabaseExists } from '../../../src/sources/postgresql/index.ts';
import { createPrivateDir } from '../../../src/sources/common/index.ts';
import type { AgentError } from '../../../src/errors/index.ts';

const avail = postgresqlAvailable();
t.setTimeout(120_000);
if (requirePeer(t, 'postgresql', avail.ok, avail.why)) {
  const pg = await startPostgresql();
  t.teardown(() => pg.stop());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-pgt-'));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const spool = await createPrivateDir(work, 'spool-');
  const ROWS = 3000;

  await pg.sql('CREATE DATABASE shop');
  await pg.sql(`
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text, balance numeric(12,2), created timestamptz, avatar bytea, tags text[]);
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric(12,2), note text);
    CREATE TABLE audit (id serial PRIMARY KEY, what text);
    INSERT INTO customers SELECT n, 'Kunde Müller-Łukasz 東京 ' || n, (ARRAY['Zürich','Kraków','São Paulo','北京'])[1 + n % 4], n * 1.25,
      timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', sha256(n::text::bytea), ARRAY['a"b', 'c\\d', 'tab\there']
      FROM generate_series(1, ${ROWS}) n;
    INSERT INTO orders (customer_id, total, note) SELECT 1 + n % ${ROWS}, n / 3.0, 'order "' || n || '" \\ it''s ☃' FROM generate_series(1, ${ROWS}) n;
    CREATE VIEW big_spenders AS SELECT c.name, sum(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name HAVING sum(o.total) > 100;
    CREATE FUNCTION vat(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT x * 1.19';
    CREATE FUNCTION audit_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (what) VALUES ('order ' || NEW.id); RETURN NEW; END $$;
    CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit_order();
  `, 'shop');

  const tables = ['customers', 'orders', 'audit'];
  const fingerprint = async (database: string) => {
    const out: Record<string, string> = {};
    for (const tbl of tables) {
      out[`${tbl}.count`] = (await pg.sql(`SELECT count(*) FROM ${tbl}`, database)).trim();
      out[`${tbl}.md5`] = (await pg.sql(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) FROM ${tbl} x`, database)).trim();
    }
    out.view = (await pg.sql('SELECT count(*), sum(spent) FROM big_spenders', database)).trim();
    out.vat = (await pg.sql('SELECT vat(100)', database)).trim();
    out.triggers = (await pg.sql("SELECT string_agg(tgname, ',') FROM pg_trigger WHERE NOT tgisinternal", database)).trim();
    out.sequence = (await pg.sql("SELECT last_value FROM orders_id_seq", database)).trim();
    out.nonAscii = (await pg.sql('SELECT name, city, tags FROM customers WHERE id = 7', database)).trim();
    return out;
  };

  t.test('dump loads into a fresh database with equal rows and checksums', async (t) => {
    const spy = makeSpyTool(work, 'pg_dump', 'PGPASSFILE');
    const entry = await dumpPostgresql({ config: { ...pg.config, dumpCommand: spy.command }, database: 'shop', spoolDir: spool.dir, priority: { nice: 10, ioniceClass: 'best-effort' } });
    t.equal(entry.path, 'databases/shop.sql');
    const data = await entryBytes(entry.open);
    t.equal(data.length, entry.size, 'size announced up front equals the data');
    const sql = data.toString('utf8');
    t.notMatch(sql, /CREATE DATABASE/i, 'no CREATE DATABASE');
    t.notMatch(sql, /OWNER TO/, '--no-owner');
    t.match(sql, /Kunde Müller-Łukasz 東京/);

    const seen = spy.read();
    t.equal(seen.credentialMode, '600', 'PGPASSFILE is 0600 while pg_dump runs');
    t.notOk(seen.argv.some((a) => a.includes(pg.password)), 'no password in argv');
    t.notOk(seen.env.includes(pg.password), 'no password in the environment');
    t.notMatch(seen.env, /^PGPASSWORD=/m);
    t.same(fs.readdirSync(spool.dir).filter((f) => !f.endsWith('.sql')), [], 'password file removed afterwards');

    const file = path.join(work, 'shop.sql');
    fs.writeFileSync(file, data);
    await pg.sql('CREATE DATABASE restored_shop');
    await pg.load(file, 'restored_shop');
    const before = await fingerprint('shop');
    const after = await fingerprint('restored_shop');
    t.same(after, before, 'fresh database equals the original');
    t.equal(before['customers.count'], String(ROWS));
    t.equal(after.triggers, 'orders_audit');
    await pg.sql("INSERT INTO orders (customer_id, total, note) VALUES (1, 1, 'x')", 'restored_shop');
    t.equal((await pg.sql('SELECT what FROM audit ORDER BY id DESC LIMIT 1', 'restored_shop')).trim(), `order ${ROWS + 1}`, 'restored trigger and sequence work');
  });

  t.test('a missing database is AGENT_E_DB_DUMP naming it, nothing left behind', async (t) => {
    const before = fs.readdirSync(spool.dir);
    const err = await dumpPostgresql({ config: pg.config, database: 'no_such_db', spoolDir: spool.dir }).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_DB_DUMP');
    t.match(err.message, /no_such_db/);
    t.same(fs.readdirSync(spool.dir), before);
  });

  t.test('a wrong password is AGENT_E_DB_DUMP and the password never shows', async (t) => {
    const wrong = 'Wr0ng-S3cret:pass\\word';
    const err = await dumpPostgresql({ config: { ...pg.config, password: wrong }, database: 'shop', spoolDir: spool.dir }).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_DB_DUMP');
    t.match(err.message, /password authentication failed/);
    t.notOk(JSON.stringify({ m: err.message, d: err.toData(), s: err.stack }).includes('Wr0ng-S3cret'));
  });

  t.test('over TCP, and a role whose password needs escaping in the pass file', async (t) => {
    const pw = 'p:w\\with:colons';
    await pg.sql(`CREATE ROLE dumper LOGIN SUPERUSER PASSWORD '${pw.replace(/'/g, "''")}'`);
    const entry = await dumpPostgresql({ config: { ...pg.config, host: '127.0.0.1', user: 'dumper', password: pw }, database: 'shop', spoolDir: spool.dir });
    t.ok(entry.size! > 1000);
  });

  // A dump tool that would run for 10 minutes: only killing it settles the dump before the file's timeout.
  t.test('abort kills the dump tool and removes the partial file', async (t) => {
    const slow = makeSpyTool(work, 'pg_dump', 'PGPASSFILE', 600);
    const before = fs.readdirSync(spool.dir);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const err = await dumpPostgresql({ config: { ...pg.config, dumpCommand: slow.command }, database: 'shop', spoolDir: spool.dir, signal: ac.signal }).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_CANCELLED');
    t.notOk(slow.running(), 'the tool was killed');
    t.same(fs.readdirSync(spool.dir), before);
  });

  t.test('estimates use pg_database_size; existence check', async (t) => {
    const sizes = await estimatePostgresql(pg.config, ['shop', 'no_such_db']);
    t.ok(sizes.shop! > 1_000_000, `shop is ${sizes.shop} bytes`);
    t.equal(sizes.no_such_db, 0);
    t.equal(await postgresqlDatabaseExists(pg.config, 'shop'), true);
    t.equal(await postgresqlDatabaseExists(pg.config, 'no_such_db'), false);
    const err = await estimatePostgresql({ ...pg.config, password: 'nope-S3cret' }, ['shop']).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_DB_DUMP');
    t.notMatch(err.message, /nope-S3cret/);
  });
}
