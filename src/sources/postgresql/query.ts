// Small read-only questions to the server through psql: database sizes for backup.estimate
// (pg_database_size) and whether a database exists for account validation.
import os from 'node:os';
import type { PostgresqlConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, writePrivateFile } from '../common/index.ts';
import { databaseSizes, runClientQuery, sqlList, type QueryOptions } from '../common/client-query.ts';
import { pgEnvironment, pgpassContent } from './environment.ts';

/** Runs one SQL statement in the maintenance database (or `database`); rows as tab-separated fields. */
export async function postgresqlQuery(config: PostgresqlConfig, sql: string, options: QueryOptions & { database?: string } = {}): Promise<string[][]> {
  const { dir, cleanup } = await createPrivateDir(options.tmpDir ?? os.tmpdir(), 'hostagent-pg-');
  try {
    const passFile = config.password === null ? null : await writePrivateFile(dir, 'pgpass-', pgpassContent(config));
    return await runClientQuery('postgresql', {
      command: config.clientCommand,
      args: ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', options.database ?? config.maintenanceDatabase, '-c', sql],
      env: pgEnvironment(config, passFile),
      signal: options.signal,
    }, config.password, options.about);
  } finally {
    await cleanup();
  }
}

/** Bytes per database from pg_database_size; a database that does not exist counts 0. */
export async function estimatePostgresql(config: PostgresqlConfig, databases: string[], options: QueryOptions = {}): Promise<Record<string, number>> {
  return databaseSizes(databases, (list) => postgresqlQuery(config, `SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname IN (${list})`, { ...options, about: { databases, phase: 'estimate', ...options.about } }));
}

export async function postgresqlDatabaseExists(config: PostgresqlConfig, database: string, options: QueryOptions = {}): Promise<boolean> {
  assertDatabaseName(database);
  const rows = await postgresqlQuery(config, `SELECT datname FROM pg_database WHERE datname = ${sqlList([database])}`, { ...options, about: { databases: [database], phase: 'existence check', ...options.about } });
  return rows.length > 0;
}
