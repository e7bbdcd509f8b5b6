import type { ArchiveEntry } from '../../core/archive-part.ts';
import type { PostgresqlConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, dumpToSpool, withPrivateFile, type ChildPriority } from '../common/index.ts';
import { pgEnvironment, pgpassContent } from './environment.ts';

export interface PostgresqlDumpOptions {
  config: PostgresqlConfig;
  database: string;
  /** Private (0700) directory of the caller; the dump file stays there until the caller removes it. */
  spoolDir: string;
  priority?: ChildPriority;
  signal?: AbortSignal;
}

/**
 * Dumps one database with pg_dump in plain SQL format into the spool, as `databases/<db>.sql`.
 * No CREATE DATABASE (a restore picks the target), and --no-owner --no-privileges: the roles of
 * one host rarely exist on another, so the dump loads as whichever role restores it, and the
 * restore grants the account's role afterwards.
 */
export async function dumpPostgresql(options: PostgresqlDumpOptions): Promise<ArchiveEntry> {
  const { config, database } = options;
  assertDatabaseName(database);
  const run = (passFile: string | null) => dumpToSpool({
    engine: 'postgresql',
    database,
    command: config.dumpCommand,
    args: ['--format=plain', '--no-owner', '--no-privileges', '--encoding=UTF8', ...config.extraArgs, '--', database],
    env: pgEnvironment(config, passFile),
    spoolDir: options.spoolDir,
    secrets: [config.password],
    priority: options.priority,
    signal: options.signal,
  });
  if (config.password === null) return run(null);
  return withPrivateFile(options.spoolDir, 'pgpass-', pgpassContent(config), run);
}
