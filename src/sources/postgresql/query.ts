// Small read-only questions to the server through psql: database sizes for backup.estimate
// (pg_database_size) and whether a database exists for account validation.
import os from 'node:os';
import { AgentError } from '../../errors/index.ts';
import type { PostgresqlConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, runChild, summarizeStderr, writePrivateFile } from '../common/index.ts';
import { pgEnvironment, pgpassContent } from './environment.ts';

/** Runs one SQL statement in the maintenance database; rows as tab-separated fields. */
export async function postgresqlQuery(config: PostgresqlConfig, sql: string, options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<string[][]> {
  const { dir, cleanup } = await createPrivateDir(options.tmpDir ?? os.tmpdir(), 'hostagent-pg-');
  try {
    const passFile = config.password === null ? null : await writePrivateFile(dir, 'pgpass-', pgpassContent(config));
    const result = await runChild({
      command: config.clientCommand,
      args: ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', config.maintenanceDatabase, '-c', sql],
      env: pgEnvironment(config, passFile),
      signal: options.signal,
    }).catch((err: NodeJS.ErrnoException) => {
      throw new AgentError('AGENT_E_DB_DUMP', `postgresql: cannot run ${config.clientCommand}: ${err.code ?? err.message}`, { cause: err, retryable: false });
    });
    if (result.code !== 0) {
      throw new AgentError('AGENT_E_DB_DUMP', `postgresql query failed: ${summarizeStderr(result.stderr, [config.password])}`, { data: { engine: 'postgresql' } });
    }
    return result.stdout.toString('utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  } finally {
    await cleanup();
  }
}

function sqlList(names: string[]): string {
  // Names passed assertDatabaseName: no quotes or backslashes can occur.
  return names.map((n) => `'${n}'`).join(',');
}

/** Bytes per database from pg_database_size; a database that does not exist counts 0. */
export async function estimatePostgresql(config: PostgresqlConfig, databases: string[], options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (databases.length === 0) return out;
  databases.forEach((d) => assertDatabaseName(d));
  for (const d of databases) out[d] = 0;
  const rows = await postgresqlQuery(config, `SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname IN (${sqlList(databases)})`, options);
  for (const [name, bytes] of rows) if (name !== undefined && name in out) out[name] = Number(bytes ?? 0);
  return out;
}

export async function postgresqlDatabaseExists(config: PostgresqlConfig, database: string, options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<boolean> {
  assertDatabaseName(database);
  const rows = await postgresqlQuery(config, `SELECT datname FROM pg_database WHERE datname = ${sqlList([database])}`, options);
  return rows.length > 0;
}
