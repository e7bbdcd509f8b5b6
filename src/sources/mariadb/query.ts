// Small read-only questions to the server through the real client: database sizes for
// backup.estimate and whether a database exists for account validation.
import os from 'node:os';
import { AgentError } from '../../errors/index.ts';
import type { MariadbConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, createPrivateDir, runChild, summarizeStderr, withPrivateFile } from '../common/index.ts';
import { mariadbOptionFile } from './option-file.ts';

/** Runs one SQL statement and returns its rows as tab-separated fields. */
export async function mariadbQuery(config: MariadbConfig, sql: string, options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<string[][]> {
  const { dir, cleanup } = await createPrivateDir(options.tmpDir ?? os.tmpdir(), 'hostagent-mariadb-');
  try {
    const result = await withPrivateFile(dir, 'client-', mariadbOptionFile(config), (optionFile) =>
      runChild({
        command: config.clientCommand,
        args: [`--defaults-extra-file=${optionFile}`, '--batch', '--skip-column-names', '--raw', '--default-character-set=utf8mb4', '-e', sql],
        signal: options.signal,
      }).catch((err: NodeJS.ErrnoException) => {
        throw new AgentError('AGENT_E_DB_DUMP', `mariadb: cannot run ${config.clientCommand}: ${err.code ?? err.message}`, { cause: err, retryable: false });
      }));
    if (result.code !== 0) {
      throw new AgentError('AGENT_E_DB_DUMP', `mariadb query failed: ${summarizeStderr(result.stderr, [config.password])}`, { data: { engine: 'mariadb' } });
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

/** Bytes per database (data + indexes, from information_schema); databases without tables count 0. */
export async function estimateMariadb(config: MariadbConfig, databases: string[], options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (databases.length === 0) return out;
  databases.forEach((d) => assertDatabaseName(d));
  for (const d of databases) out[d] = 0;
  const rows = await mariadbQuery(config,
    `SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema IN (${sqlList(databases)}) GROUP BY table_schema`, options);
  for (const [name, bytes] of rows) if (name !== undefined && name in out) out[name] = Number(bytes ?? 0);
  return out;
}

/** Whether the database exists on the server. */
export async function mariadbDatabaseExists(config: MariadbConfig, database: string, options: { tmpDir?: string; signal?: AbortSignal } = {}): Promise<boolean> {
  assertDatabaseName(database);
  const rows = await mariadbQuery(config, `SELECT schema_name FROM information_schema.schemata WHERE schema_name = ${sqlList([database])}`, options);
  return rows.length > 0;
}
