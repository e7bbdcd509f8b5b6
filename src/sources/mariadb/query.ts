// Small read-only questions to the server through the real client: database sizes for
// backup.estimate and whether a database exists for account validation.
import os from 'node:os';
import type { MariadbConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, withPrivateFile } from '../common/index.ts';
import { databaseSizes, runClientQuery, sqlList, type QueryOptions } from '../common/client-query.ts';
import { mariadbOptionFile } from './option-file.ts';

/** Runs one SQL statement and returns its rows as tab-separated fields. */
export async function mariadbQuery(config: MariadbConfig, sql: string, options: QueryOptions = {}): Promise<string[][]> {
  const { dir, cleanup } = await createPrivateDir(options.tmpDir ?? os.tmpdir(), 'hostagent-mariadb-');
  try {
    return await withPrivateFile(dir, 'client-', mariadbOptionFile(config), (optionFile) =>
      runClientQuery('mariadb', {
        command: config.clientCommand,
        args: [`--defaults-extra-file=${optionFile}`, '--batch', '--skip-column-names', '--raw', '--default-character-set=utf8mb4', '-e', sql],
        signal: options.signal,
      }, config.password, options.about));
  } finally {
    await cleanup();
  }
}

/** Bytes per database (data + indexes, from information_schema); databases without tables count 0. */
export async function estimateMariadb(config: MariadbConfig, databases: string[], options: QueryOptions = {}): Promise<Record<string, number>> {
  return databaseSizes(databases, (list) => mariadbQuery(config,
    `SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema IN (${list}) GROUP BY table_schema`, { ...options, about: { databases, phase: 'estimate', ...options.about } }));
}

/** Whether the database exists on the server. */
export async function mariadbDatabaseExists(config: MariadbConfig, database: string, options: QueryOptions = {}): Promise<boolean> {
  assertDatabaseName(database);
  const rows = await mariadbQuery(config, `SELECT schema_name FROM information_schema.schemata WHERE schema_name = ${sqlList([database])}`, { ...options, about: { databases: [database], phase: 'existence check', ...options.about } });
  return rows.length > 0;
}
