import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirePeer } from '../../helpers/peer.ts';
import { mariadbAvailable, startMariadb } from '../../peers/mariadb.ts';
import { makeSpyTool, entryBytes } from '../spy-tool.ts';
import { dumpMariadb, estimateMariadb, mariadbDatabaseExists } from '../../../src/sources/mariadb/index.ts';
import { createPrivateDir } from '../../../src/sources/common/index.ts';
import { AgentError } from '../../../src/errors/index.ts';

const avail = mariadbAvailable();
t.setTimeout(120_000);
if (requirePeer(t, 'mariadb', avail.ok, avail.why)) {
  const db = await startMariadb();
  t.teardown(() => db.stop());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-mdbt-'));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const spool = await createPrivateDir(work, 'spool-');
  const ROWS = 3000;

  await db.sql(`
    SET SESSION max_recursive_iterations = 100000;
    CREATE DATABASE shop CHARACTER SET utf8mb4;
    USE shop;
    CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(100), balance DECIMAL(12,2), created DATETIME, avatar BLOB) ENGINE=InnoDB;
    CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(12,2), note TEXT, FOREIGN KEY (customer_id) REFERENCES customers(id)) ENGINE=InnoDB;
    CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(200)) ENGINE=InnoDB;
    INSERT INTO customers
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS})
      SELECT n, CONCAT('Kunde Müller-Łukasz 東京 ', n), ELT(1 + n % 4, 'Zürich', 'Kraków', 'São Paulo', '北京'), n * 1.25,
             TIMESTAMP('2024-01-01 00:00:00') + INTERVAL n MINUTE, UNHEX(SHA2(n, 256)) FROM s;
    INSERT INTO orders (customer_id, total, note)
      WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS})
      SELECT 1 + n % ${ROWS}, n / 3, CONCAT('order "', n, '" \\\\ it''s ☃') FROM s;
    CREATE VIEW big_spenders AS SELECT c.name, SUM(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name HAVING spent > 100;
    CREATE FUNCTION vat(x DECIMAL(12,2)) RETURNS DECIMAL(12,2) DETERMINISTIC RETURN x * 1.19;
    CREATE PROCEDURE count_orders(OUT n INT) SELECT COUNT(*) INTO n FROM orders;
    CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('order ', NEW.id));
    CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO DELETE FROM audit WHERE id < 0;
  `);

  const tables = ['customers', 'orders', 'audit'];
  const fingerprint = async (database: string) => {
    const out: Record<string, string> = {};
    for (const tbl of tables) {
      out[`${tbl}.count`] = (await db.sql(`SELECT COUNT(*) FROM ${tbl}`, database)).trim();
      out[`${tbl}.checksum`] = (await db.sql(`CHECKSUM TABLE ${tbl}`, database)).trim().split('\t')[1]!;
    }
    out.view = (await db.sql('SELECT COUNT(*), SUM(spent) FROM big_spenders', database)).trim();
    out.vat = (await db.sql('SELECT vat(100)', database)).trim();
    out.routines = (await db.sql(`SELECT GROUP_CONCAT(routine_name ORDER BY routine_name) FROM information_schema.routines WHERE routine_schema = '${database}'`)).trim();
    out.triggers = (await db.sql(`SELECT GROUP_CONCAT(trigger_name) FROM information_schema.triggers WHERE trigger_schema = '${database}'`)).trim();
    out.events = (await db.sql(`SELECT GROUP_CONCAT(event_name) FROM information_schema.events WHERE event_schema = '${database}'`)).trim();
    out.nonAscii = (await db.sql('SELECT name, city FROM customers WHERE id = 7', database)).trim();
    return out;
  };

  t.test('dump loads into a fresh database with equal rows, checksums and objects', async (t) => {
    const spy = makeSpyTool(work, 'mariadb-dump', 'first-arg');
    const entry = await dumpMariadb({ config: { ...db.config, dumpCommand: spy.command }, database: 'shop', spoolDir: spool.dir, priority: { nice: 10, ioniceClass: 'idle' } });
    t.equal(entry.path, 'databases/shop.sql');
    t.equal(entry.type, 'file');
    const data = await entryBytes(entry.open);
    t.equal(data.length, entry.size, 'size announced up front equals the data');
    const sql = data.toString('utf8');
    t.notMatch(sql, /CREATE DATABASE/i, 'no CREATE DATABASE: loads into any database');
    t.notMatch(sql, /^USE /m, 'no USE statement');
    t.match(sql, /Kunde Müller-Łukasz 東京/, 'non-ASCII text kept as UTF-8');

    const seen = spy.read();
    t.match(seen.argv[0], /^--defaults-extra-file=/, 'credentials file is the first argument');
    t.equal(seen.credentialMode, '600', 'credentials file is 0600 while the tool runs');
    t.notOk(seen.argv.some((a) => a.includes(db.password)), 'no password in argv');
    t.notOk(seen.env.includes(db.password), 'no password in the environment');
    t.ok(seen.argv.includes('--single-transaction') && seen.argv.includes('--routines') && seen.argv.includes('--triggers') && seen.argv.includes('--events'));
    const left = fs.readdirSync(spool.dir);
    t.same(left.filter((f) => !f.endsWith('.sql')), [], 'credentials file removed afterwards');

    const file = path.join(work, 'shop.sql');
    fs.writeFileSync(file, data);
    await db.sql('CREATE DATABASE restored_shop CHARACTER SET utf8mb4');
    await db.load(file, 'restored_shop');
    const before = await fingerprint('shop');
    const after = await fingerprint('restored_shop');
    t.same(after, before, 'fresh database equals the original');
    t.equal(before['customers.count'], String(ROWS));
    t.equal(after.routines, 'count_orders,vat');
    t.equal(after.triggers, 'orders_audit');
    t.equal(after.events, 'nightly');
    await db.sql("INSERT INTO orders (customer_id, total, note) VALUES (1, 1, 'x')", 'restored_shop');
    const lastOrder = (await db.sql('SELECT MAX(id) FROM orders', 'restored_shop')).trim();
    t.equal((await db.sql('SELECT what FROM audit ORDER BY id DESC LIMIT 1', 'restored_shop')).trim(), `order ${lastOrder}`, 'restored trigger fires');
  });

  t.test('a missing database is AGENT_E_DB_DUMP naming it, and nothing is left behind', async (t) => {
    const before = fs.readdirSync(spool.dir);
    const err = await dumpMariadb({ config: db.config, database: 'no_such_db', spoolDir: spool.dir }).catch((e: unknown) => e);
    t.ok(err instanceof AgentError);
    t.equal((err as AgentError).code, 'AGENT_E_DB_DUMP');
    t.match((err as AgentError).message, /no_such_db/);
    t.same(fs.readdirSync(spool.dir), before, 'no partial dump or credentials file left');
  });

  t.test('a wrong password is AGENT_E_DB_DUMP and the password never shows', async (t) => {
    const wrong = 'Wr0ng-S3cret-"pass\\word';
    const err = await dumpMariadb({ config: { ...db.config, password: wrong }, database: 'shop', spoolDir: spool.dir }).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_DB_DUMP');
    t.match(err.message, /Access denied/);
    t.notOk(JSON.stringify({ m: err.message, d: err.toData(), s: err.stack }).includes('Wr0ng-S3cret'), 'password absent from message, data and stack');
    const err2 = await dumpMariadb({ config: { ...db.config, password: db.password }, database: 'shop', spoolDir: spool.dir }).then(() => null, (e: unknown) => e);
    t.equal(err2, null, 'quoted special characters in the option file do not break the right password');
  });

  t.test('unsafe database names are refused before anything runs', async (t) => {
    for (const bad of ['--all-databases', '../etc', 'a b', 'x;DROP', '']) {
      const err = await dumpMariadb({ config: db.config, database: bad, spoolDir: spool.dir }).catch((e: unknown) => e) as AgentError;
      t.equal(err.code, 'AGENT_E_INVALID', JSON.stringify(bad));
    }
  });

  // A dump tool that would run for 10 minutes: only killing it settles the dump before the file's timeout.
  t.test('abort kills the dump tool and removes the partial file', async (t) => {
    const slow = makeSpyTool(work, 'mariadb-dump', 'first-arg', 600);
    const before = fs.readdirSync(spool.dir);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const err = await dumpMariadb({ config: { ...db.config, dumpCommand: slow.command }, database: 'shop', spoolDir: spool.dir, signal: ac.signal }).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_CANCELLED');
    t.notOk(slow.running(), 'the tool was killed');
    t.same(fs.readdirSync(spool.dir), before, 'nothing partial left');
  });

  t.test('estimates and existence checks use information_schema', async (t) => {
    await db.sql('CREATE DATABASE empty_db');
    const sizes = await estimateMariadb(db.config, ['shop', 'empty_db', 'no_such_db']);
    t.ok(sizes.shop! > 100_000, `shop is ${sizes.shop} bytes`);
    t.equal(sizes.empty_db, 0);
    t.equal(sizes.no_such_db, 0);
    t.equal(await mariadbDatabaseExists(db.config, 'shop'), true);
    t.equal(await mariadbDatabaseExists(db.config, 'no_such_db'), false);
    const err = await estimateMariadb({ ...db.config, password: 'nope-S3cret' }, ['shop']).catch((e: unknown) => e) as AgentError;
    t.equal(err.code, 'AGENT_E_DB_DUMP');
    t.notMatch(err.message, /nope-S3cret/);
  });

  t.test('a defaultsFile supplies what the config leaves null', async (t) => {
    const cnf = path.join(work, 'debian.cnf');
    fs.writeFileSync(cnf, `[client]\nuser=root\npassword=${db.password}\nsocket=${db.socket}\n`, { mode: 0o600 });
    const entry = await dumpMariadb({ config: { ...db.config, user: null, password: null, socket: null, defaultsFile: cnf }, database: 'shop', spoolDir: spool.dir });
    t.ok(entry.size! > 1000);
  });

  t.test('over TCP with host and port', async (t) => {
    const entry = await dumpMariadb({ config: { ...db.config, host: '127.0.0.1', socket: null }, database: 'shop', spoolDir: spool.dir });
    t.ok(entry.size! > 1000);
  });
}
