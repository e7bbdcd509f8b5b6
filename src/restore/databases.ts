// Loads a plain SQL dump into a database through the real client: the database is dropped and
// recreated first (in place), or created under its staging name. Credentials travel in 0600
// files, as for the dumps (src/sources/mariadb/option-file.ts, postgresql/environment.ts).
import fs from 'node:fs';
import { AgentError } from '../errors/index.ts';
import type { MariadbConfig, PostgresqlConfig } from '../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, startChild, summarizeStderr, withPrivateFile, writePrivateFile } from '../sources/common/index.ts';
import { mariadbOptionFile } from '../sources/mariadb/option-file.ts';
import { mariadbQuery } from '../sources/mariadb/query.ts';
import { postgresqlQuery } from '../sources/postgresql/query.ts';
import { pgEnvironment, pgpassContent } from '../sources/postgresql/environment.ts';

export interface DatabaseRestore {
  engine: 'mariadb' | 'postgresql';
  /** The database the dump goes into (the original or the staging name). */
  database: string;
  sqlFile: string;
  /** Private directory for credential files. */
  tmpDir: string;
  signal?: AbortSignal;
}

async function feed(command: string, args: string[], env: NodeJS.ProcessEnv | undefined, sqlFile: string, signal: AbortSignal | undefined, secrets: (string | null)[], what: string): Promise<void> {
  const { child, exited } = startChild({ command, args, env, stdin: 'pipe', stdout: 'ignore', signal });
  child.stdin!.on('error', () => { /* the exit status reports it */ });
  fs.createReadStream(sqlFile).pipe(child.stdin!);
  const r = await exited.catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('AGENT_E_INTERNAL', `${what}: cannot run ${command}: ${err.code ?? err.message}`, { cause: err });
  });
  signal?.throwIfAborted();
  if (r.code !== 0) throw new AgentError('AGENT_E_INTERNAL', `${what} failed: ${summarizeStderr(r.stderr, secrets)}`, { retryable: true });
}

export async function restoreMariadb(config: MariadbConfig, r: DatabaseRestore): Promise<void> {
  assertDatabaseName(r.database);
  await mariadbQuery(config, `DROP DATABASE IF EXISTS \`${r.database}\`; CREATE DATABASE \`${r.database}\` CHARACTER SET utf8mb4`, { tmpDir: r.tmpDir, signal: r.signal });
  const { dir, cleanup } = await createPrivateDir(r.tmpDir, 'mariadb-');
  try {
    await withPrivateFile(dir, 'client-', mariadbOptionFile(config), (optionFile) =>
      feed(config.clientCommand, [`--defaults-extra-file=${optionFile}`, '--default-character-set=utf8mb4', '--binary-mode', '--', r.database], undefined, r.sqlFile, r.signal, [config.password], `restoring MariaDB database ${r.database}`));
  } finally {
    await cleanup();
  }
}

export async function restorePostgresql(config: PostgresqlConfig, r: DatabaseRestore): Promise<void> {
  assertDatabaseName(r.database);
  // One statement per call: DROP/CREATE DATABASE cannot run inside a transaction block.
  await postgresqlQuery(config, `DROP DATABASE IF EXISTS "${r.database}" WITH (FORCE)`, { tmpDir: r.tmpDir, signal: r.signal });
  await postgresqlQuery(config, `CREATE DATABASE "${r.database}" ENCODING 'UTF8' TEMPLATE template0`, { tmpDir: r.tmpDir, signal: r.signal });
  const { dir, cleanup } = await createPrivateDir(r.tmpDir, 'pg-');
  try {
    const passFile = config.password === null ? null : await writePrivateFile(dir, 'pgpass-', pgpassContent(config));
    await feed(config.clientCommand, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', r.database], pgEnvironment(config, passFile), r.sqlFile, r.signal, [config.password], `restoring PostgreSQL database ${r.database}`);
  } finally {
    await cleanup();
  }
}

/** `<db>_restore_<yyyymmddhhmmss>`, shortened at the front to fit the 64-character limit. */
export function stagingDatabaseName(db: string, stamp: string): string {
  const suffix = `_restore_${stamp}`;
  return db.slice(0, 63 - suffix.length) + suffix;
}
