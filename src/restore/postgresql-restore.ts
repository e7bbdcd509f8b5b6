// Loads a plain pg_dump into a database as the database's owner, never as the admin role.
//
// The admin role only drops and creates the target database (OWNER the account's role) and a
// short-lived LOGIN role `hostagent_restore_<random>`: NOSUPERUSER NOCREATEDB NOCREATEROLE
// NOREPLICATION NOBYPASSRLS NOINHERIT, member of the owner role and of nothing else. psql logs in
// as that role and the session starts with SET ROLE <owner>, so every object the dump creates is
// owned by the account's role, and functions the dump's SQL triggers (CHECK constraints, index
// expressions, defaults) run as the owner. RESET ROLE or SET SESSION AUTHORIZATION inside the
// dump only fall back to the temporary role, which holds less than the owner. A dump that holds
// a psql backslash command is refused before anything is dropped (psql-meta-commands.ts), so
// `\!`, `\c other_db`, `\o` and the like never reach the client; where psql has \restrict, the
// session also starts restricted with a key the dump cannot know, and pg_dump's own
// \restrict/\unrestrict lines are left out of the feed. The temporary role is dropped
// afterwards; one left by a crash is dropped at the next daemon start (restore-login-recovery.ts).
import { randomBytes } from 'node:crypto';
import { AgentError } from '../errors/index.ts';
import type { PostgresqlConfig } from '../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, writePrivateFile } from '../sources/common/index.ts';
import { sqlList } from '../sources/common/client-query.ts';
import { postgresqlQuery } from '../sources/postgresql/query.ts';
import { pgEnvironment, pgpassContent } from '../sources/postgresql/environment.ts';
import { feedSqlFile, type DatabaseRestore } from './feed-sql.ts';
import { assertNoPsqlMetaCommands, psqlLineFilter } from './psql-meta-commands.ts';
import { psqlHasRestrict } from './psql-version.ts';
import { newTemporaryLogin, pgIdent, scramSha256Verifier, TEMPORARY_LOGIN_PREFIX } from './temporary-login.ts';

/** The role owning the account's live database; refused when it is a superuser or missing. */
async function databaseOwner(config: PostgresqlConfig, r: DatabaseRestore): Promise<string> {
  const rows = await postgresqlQuery(config, `SELECT r.rolname, r.rolsuper FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ${sqlList([r.ownerFrom])}`, { tmpDir: r.tmpDir, signal: r.signal });
  const row = rows[0];
  if (!row) {
    throw new AgentError('AGENT_E_INVALID', `PostgreSQL database ${r.ownerFrom} does not exist, so its owner is unknown; create it owned by the account's role, then restore`, { data: { field: 'databases', database: r.ownerFrom } });
  }
  const [owner, superuser] = row as [string, string];
  if (superuser === 't' || owner.startsWith(TEMPORARY_LOGIN_PREFIX)) {
    throw new AgentError('AGENT_E_INVALID', `PostgreSQL database ${r.ownerFrom} is owned by ${owner}, a superuser; a dump is only loaded as the account's own role: ALTER DATABASE ${r.ownerFrom} OWNER TO <the account's role>`, { data: { field: 'databases', database: r.ownerFrom, owner } });
  }
  return owner;
}

export async function restorePostgresql(config: PostgresqlConfig, r: DatabaseRestore): Promise<void> {
  assertDatabaseName(r.database);
  assertDatabaseName(r.ownerFrom);
  await assertNoPsqlMetaCommands(r.sqlFile, `PostgreSQL dump for ${r.database}`);
  const owner = await databaseOwner(config, r);
  const q = (sql: string, database?: string) => postgresqlQuery(config, sql, { tmpDir: r.tmpDir, signal: r.signal, database });
  // One statement per call: DROP/CREATE DATABASE cannot run inside a transaction block.
  await q(`DROP DATABASE IF EXISTS ${pgIdent(r.database)} WITH (FORCE)`);
  await q(`CREATE DATABASE ${pgIdent(r.database)} OWNER ${pgIdent(owner)} ENCODING 'UTF8' TEMPLATE template0`);
  const login = newTemporaryLogin();
  const { dir, cleanup } = await createPrivateDir(r.tmpDir, 'pg-');
  try {
    await q(`CREATE ROLE ${pgIdent(login.name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 2 PASSWORD '${scramSha256Verifier(login.password)}' VALID UNTIL '${new Date(Date.now() + 86_400_000).toISOString()}'`);
    await q(`GRANT ${pgIdent(owner)} TO ${pgIdent(login.name)}`);
    const as = { ...config, user: login.name, password: login.password };
    const passFile = await writePrivateFile(dir, 'pgpass-', pgpassContent(as));
    await feedSqlFile({
      command: config.clientCommand,
      args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', r.database],
      env: pgEnvironment(as, passFile),
      // psql's restricted mode (where it has one) refuses every backslash command but
      // \unrestrict <key>, and the key is never in the dump: a second wall behind the scan.
      prelude: `${await psqlHasRestrict(config.clientCommand) ? `\\restrict ${randomBytes(32).toString('hex')}\n` : ''}SET ROLE ${pgIdent(owner)};\n`,
      rewriteLine: psqlLineFilter(`PostgreSQL dump for ${r.database}`),
      sqlFile: r.sqlFile, signal: r.signal, secrets: [config.password, login.password], what: `restoring PostgreSQL database ${r.database}`,
    });
  } finally {
    await cleanup();
    await dropPostgresqlLogin(config, login.name, { tmpDir: r.tmpDir, databases: [r.database] });
  }
}

/**
 * Drops a temporary role: first what it owns or was granted in each database it appears in
 * (pg_shdepend; `databases` adds known ones), then the role. Runs without the job's signal so a
 * cancelled restore still cleans up.
 */
export async function dropPostgresqlLogin(config: PostgresqlConfig, name: string, options: { tmpDir?: string; databases?: string[] } = {}): Promise<void> {
  if (!name.startsWith(TEMPORARY_LOGIN_PREFIX)) throw new AgentError('AGENT_E_INTERNAL', `refusing to drop role ${name}`);
  const lit = `'${name.replace(/'/g, "''")}'`;
  const rows = await postgresqlQuery(config, `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = s.refobjid WHERE r.rolname = ${lit} AND d.datallowconn`, { tmpDir: options.tmpDir });
  const dbs = new Set([...(options.databases ?? []), ...rows.map((x) => x[0]!)]);
  const exists = (await postgresqlQuery(config, `SELECT 1 FROM pg_roles WHERE rolname = ${lit}`, { tmpDir: options.tmpDir })).length > 0;
  if (!exists) return;
  for (const db of dbs) {
    const present = (await postgresqlQuery(config, `SELECT 1 FROM pg_database WHERE datname = '${db.replace(/'/g, "''")}'`, { tmpDir: options.tmpDir })).length > 0;
    if (present) await postgresqlQuery(config, `DROP OWNED BY ${pgIdent(name)}`, { tmpDir: options.tmpDir, database: db });
  }
  await postgresqlQuery(config, `DROP ROLE IF EXISTS ${pgIdent(name)}`, { tmpDir: options.tmpDir });
}
