// Loads a mysqldump into a database as a short-lived user that can reach that database only.
//
// The admin user drops and creates the target database and a user
// `hostagent_restore_<random>` with ALL on `<target>`.* (no GRANT OPTION, nothing global), then
// drops it afterwards; one left by a crash is dropped at the next daemon start. Statements in
// the dump that name another database (USE other_db, other_db.t, CREATE USER, GRANT ... ON *.*)
// fail for lack of privilege and stop the load. The client runs with --binary-mode, which turns
// off every client command except \C and DELIMITER for piped input, and --sandbox, which refuses
// the ones touching files or programs (system, \!, source, tee, pager) should any be parsed.
// DEFINER clauses of triggers, views, routines and events are rewritten to CURRENT_USER: a user
// without the global SET USER privilege may not name another definer, and that privilege is
// never given. After the load the admin hands those objects to the database's owner (the one
// user holding database-level grants on the account's live database, and no global ones),
// re-creating them from the server's own catalog text through PREPARE, so no text of the dump
// passes the client's parser as admin. A dump with definers whose database has no such owner is
// refused before anything is dropped.
import fs from 'node:fs';
import readline from 'node:readline';
import { AgentError } from '../errors/index.ts';
import type { MariadbConfig } from '../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, withPrivateFile } from '../sources/common/index.ts';
import { mariadbOptionFile } from '../sources/mariadb/option-file.ts';
import { mariadbQuery } from '../sources/mariadb/query.ts';
import { feedSqlFile, type DatabaseRestore } from './feed-sql.ts';
import { mysqlNativePasswordHash, newTemporaryLogin, TEMPORARY_LOGIN_PREFIX } from './temporary-login.ts';

const NAME = "(?:`(?:[^`]|``)*`|'(?:[^'\\\\]|''|\\\\.)*'|[A-Za-z0-9_.$%-]+)";
const DEFINER = new RegExp(`DEFINER\\s*=\\s*(?:${NAME}\\s*@\\s*${NAME}|CURRENT_USER(?:\\(\\))?|${NAME})`, 'gi');

const DEFINER_LINE = /^\s*(?:\/\*!\d*\s*)?CREATE\b|^\s*\/\*!5001[37] DEFINER/i;

/**
 * mysqldump writes a definer only at the head of a CREATE (or in its /*!500xx ... *\/ comment
 * wrappers); row data is always on INSERT lines, which are left alone.
 */
export function rewriteDefiner(line: string): string {
  if (!DEFINER_LINE.test(line)) return line;
  return line.replace(DEFINER, 'DEFINER=CURRENT_USER');
}

/** Where the temporary user may connect from: the socket (localhost), else any host. */
export function temporaryUserHost(config: MariadbConfig): string {
  return config.host === null ? 'localhost' : '%';
}

async function hasDefiner(file: string): Promise<boolean> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  try {
    for await (const l of lines) if (DEFINER_LINE.test(l) && /DEFINER\s*=/i.test(l)) return true;
  } finally {
    lines.close();
  }
  return false;
}

const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const ident = (s: string) => '`' + s.replace(/`/g, '``') + '`';

/** `user@host` as a definer column holds it, and the account form for statements. */
interface MariadbUser { user: string; host: string }
const definerColumn = (u: MariadbUser) => `${u.user}@${u.host}`;
const accountName = (u: MariadbUser) => `${str(u.user)}@${str(u.host)}`;

/** The one user with database-level grants on `db` and no global privilege, or null. */
async function databaseOwner(config: MariadbConfig, db: string, options: { tmpDir?: string; signal?: AbortSignal }): Promise<MariadbUser | null> {
  const escaped = db.replace(/_/g, '\\_');
  const rows = await mariadbQuery(config, `SELECT DISTINCT d.User, d.Host FROM mysql.db d WHERE d.Db IN (${str(db)}, ${str(escaped)}) AND d.User NOT LIKE 'hostagent\\_restore\\_%' AND d.User <> '' AND NOT EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES p WHERE p.GRANTEE = CONCAT("'", d.User, "'@'", d.Host, "'") AND p.PRIVILEGE_TYPE <> 'USAGE')`, options);
  if (rows.length !== 1) return null;
  return { user: rows[0]![0]!, host: rows[0]![1]! };
}

/** Runs one statement built from catalog text through PREPARE, so the client never parses it. */
function prepared(sql: string): string {
  return `SET @hostagent_stmt = CONVERT(UNHEX('${Buffer.from(sql, 'utf8').toString('hex')}') USING utf8mb4); PREPARE hostagent_stmt FROM @hostagent_stmt; EXECUTE hostagent_stmt; DEALLOCATE PREPARE hostagent_stmt;`;
}

/** Hands the triggers, views, routines and events the temporary user defined to the owner. */
async function repointDefiners(config: MariadbConfig, db: string, from: MariadbUser, to: MariadbUser, options: { tmpDir?: string; signal?: AbortSignal }): Promise<void> {
  const q = (sql: string) => mariadbQuery(config, sql, options);
  const was = str(definerColumn(from));
  const owner = `DEFINER=${accountName(to)}`;
  const statements: string[] = [];
  const triggers = await q(`SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, HEX(ACTION_STATEMENT), SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${str(db)} AND DEFINER = ${was} ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`);
  for (const [name, table, timing, event, body, mode] of triggers) {
    const create = `CREATE ${owner} TRIGGER ${ident(db)}.${ident(name!)} ${timing} ${event} ON ${ident(db)}.${ident(table!)} FOR EACH ROW ${Buffer.from(body!, 'hex').toString('utf8')}`;
    statements.push(`SET SESSION sql_mode = ${str(mode!)}; DROP TRIGGER ${ident(db)}.${ident(name!)}; ${prepared(create)}`);
  }
  const views = await q(`SELECT TABLE_NAME, HEX(VIEW_DEFINITION), CHECK_OPTION, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${str(db)} AND DEFINER = ${was}`);
  for (const [name, def, check, security, algorithm] of views) {
    const option = check === 'NONE' ? '' : ` WITH ${check} CHECK OPTION`;
    statements.push(prepared(`CREATE OR REPLACE ALGORITHM=${algorithm} ${owner} SQL SECURITY ${security} VIEW ${ident(db)}.${ident(name!)} AS ${Buffer.from(def!, 'hex').toString('utf8')}${option}`));
  }
  // Routines and events have no ALTER ... DEFINER; their definer is a column of the catalog.
  statements.push(`UPDATE mysql.proc SET definer = ${str(definerColumn(to))} WHERE db = ${str(db)} AND definer = ${was};`);
  statements.push(`UPDATE mysql.event SET definer = ${str(definerColumn(to))} WHERE db = ${str(db)} AND definer = ${was};`);
  await q(`USE ${ident(db)}; ${statements.join(' ')}`);
}

export async function restoreMariadb(config: MariadbConfig, r: DatabaseRestore): Promise<void> {
  assertDatabaseName(r.database);
  assertDatabaseName(r.ownerFrom);
  const q = (sql: string) => mariadbQuery(config, sql, { tmpDir: r.tmpDir, signal: r.signal });
  const owner = await databaseOwner(config, r.ownerFrom, { tmpDir: r.tmpDir, signal: r.signal });
  if (!owner && await hasDefiner(r.sqlFile)) {
    throw new AgentError('AGENT_E_INVALID', `MariaDB database ${r.ownerFrom} has no single owning user (database-level grants, no global privileges), so the dump's triggers, views and routines would have no definer; GRANT ALL ON \`${r.ownerFrom}\`.* to the account's user, then restore`, { data: { field: 'databases', database: r.ownerFrom } });
  }
  await q(`DROP DATABASE IF EXISTS \`${r.database}\`; CREATE DATABASE \`${r.database}\` CHARACTER SET utf8mb4`);
  const login = newTemporaryLogin();
  const account = accountName({ user: login.name, host: temporaryUserHost(config) });
  const { dir, cleanup } = await createPrivateDir(r.tmpDir, 'mariadb-');
  try {
    await q(`CREATE USER ${account} IDENTIFIED VIA mysql_native_password USING '${mysqlNativePasswordHash(login.password)}' WITH MAX_USER_CONNECTIONS 2; GRANT ALL PRIVILEGES ON \`${r.database}\`.* TO ${account}`);
    const as = { ...config, user: login.name, password: login.password, defaultsFile: null };
    await withPrivateFile(dir, 'client-', mariadbOptionFile(as), (optionFile) => feedSqlFile({
      command: config.clientCommand,
      args: [`--defaults-extra-file=${optionFile}`, '--default-character-set=utf8mb4', '--binary-mode', '--sandbox', '--', r.database],
      rewriteLine: rewriteDefiner,
      sqlFile: r.sqlFile, signal: r.signal, secrets: [config.password, login.password], what: `restoring MariaDB database ${r.database}`,
    }));
    if (owner) await repointDefiners(config, r.database, { user: login.name, host: temporaryUserHost(config) }, owner, { tmpDir: r.tmpDir, signal: r.signal });
  } finally {
    await cleanup();
    await dropMariadbLogin(config, login.name, { tmpDir: r.tmpDir });
  }
}

/** Drops every host entry of a temporary user; without the job's signal, so a cancel still cleans up. */
export async function dropMariadbLogin(config: MariadbConfig, name: string, options: { tmpDir?: string } = {}): Promise<void> {
  if (!name.startsWith(TEMPORARY_LOGIN_PREFIX) || !/^[a-z0-9_]+$/.test(name)) throw new AgentError('AGENT_E_INTERNAL', `refusing to drop user ${name}`);
  const hosts = await mariadbQuery(config, `SELECT Host FROM mysql.user WHERE User = '${name}'`, options);
  for (const [host] of hosts) await mariadbQuery(config, `DROP USER IF EXISTS '${name}'@'${host!.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, options);
}
