import t from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { openState, SCHEMA_VERSION } from '../../src/state/index.ts';
import { HOSTAGENTD, tempDir, writeDevConfig } from '../helpers/daemon.ts';

t.test('a new database is WAL, migrated and versioned', async (t) => {
  const file = path.join(tempDir(t), 'state', 'agent.db');
  const s = openState(file);
  t.same(s.applied, [...Array(SCHEMA_VERSION).keys()].map((i) => i + 1));
  t.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(s.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const rows = s.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  t.same(rows.map((r) => r.version), s.applied);
  s.db.close();
  const again = openState(file);
  t.same(again.applied, [], 'reopening applies nothing');
  again.db.close();
});

t.test('migrations apply in one transaction: a failing one leaves nothing behind', async (t) => {
  const file = path.join(tempDir(t), 'agent.db');
  const migrations = [
    { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
    { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;' },
  ];
  t.throws(() => openState(file, migrations));
  const db = new Database(file);
  t.equal(db.pragma('user_version', { simple: true }), 0);
  t.equal((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b', 'schema_migrations')`).get() as { n: number }).n, 0);
  db.close();
});

t.test('a database written by a newer version is refused', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const s = openState(path.join(dir, 'state', 'agent.db'));
  s.db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
  s.db.close();
  t.throws(() => openState(path.join(dir, 'state', 'agent.db')), { code: 'AGENT_E_STATE_TOO_NEW' });
  const r = spawnSync(process.execPath, [HOSTAGENTD, '--dev', dir], { encoding: 'utf8', timeout: 20000 });
  t.equal(r.status, 78);
  t.match(r.stderr, new RegExp(`schema version ${SCHEMA_VERSION + 5}, newer than this hostagent supports`));
});
