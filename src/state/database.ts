import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AgentError } from '../errors/index.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

export interface OpenedState {
  db: Db;
  schemaVersion: number;
  applied: number[];
}

/**
 * Opens the state database (WAL) and brings its schema up to date in one transaction.
 * A database from a newer agent is refused rather than risked.
 */
export function openState(file: string, migrations: readonly Migration[] = MIGRATIONS): OpenedState {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new AgentError('AGENT_E_CONFIG', `cannot open state database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    fs.chmodSync(file, 0o600);
    const applied = migrate(db, migrations);
    return { db, schemaVersion: currentVersion(db), applied };
  } catch (err) {
    db.close();
    throw err;
  }
}

function currentVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, migrations: readonly Migration[]): number[] {
  const target = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const have = currentVersion(db);
  if (have > target) {
    throw new AgentError('AGENT_E_STATE_TOO_NEW',
      `state database ${db.name} has schema version ${have}, newer than this hostagent supports (${target}); install the newer hostagent again instead of downgrading`,
      { data: { schemaVersion: have, supported: target } });
  }
  const pending = migrations.filter((m) => m.version > have);
  if (!pending.length) return [];
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of pending) {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
    db.pragma(`user_version = ${pending[pending.length - 1]!.version}`);
  }).immediate();
  return pending.map((m) => m.version);
}

export { SCHEMA_VERSION };
