import type { ArchiveEntry } from '../../core/archive-part.ts';
import type { MariadbConfig } from '../../config/sections/databases.ts';
import { assertDatabaseName, dumpToSpool, withPrivateFile, type ChildPriority } from '../common/index.ts';
import { mariadbOptionFile } from './option-file.ts';

export interface MariadbDumpOptions {
  config: MariadbConfig;
  database: string;
  /** Private (0700) directory of the caller; the dump file stays there until the caller removes it. */
  spoolDir: string;
  priority?: ChildPriority;
  signal?: AbortSignal;
}

/**
 * Dumps one database as plain SQL into the spool and returns it as `databases/<db>.sql`.
 * The dump carries no CREATE DATABASE / USE, so a restore can load it into a fresh or renamed
 * database. --single-transaction gives a consistent InnoDB snapshot without locking the tenant out.
 */
export async function dumpMariadb(options: MariadbDumpOptions): Promise<ArchiveEntry> {
  const { config, database } = options;
  assertDatabaseName(database);
  return withPrivateFile(options.spoolDir, 'mariadb-', mariadbOptionFile(config), (optionFile) =>
    dumpToSpool({
      engine: 'mariadb',
      database,
      command: config.dumpCommand,
      // --defaults-extra-file is only honoured as the very first argument.
      args: [
        `--defaults-extra-file=${optionFile}`,
        '--single-transaction', '--routines', '--triggers', '--events',
        '--hex-blob', '--default-character-set=utf8mb4',
        ...config.extraArgs,
        '--', database,
      ],
      spoolDir: options.spoolDir,
      secrets: [config.password],
      priority: options.priority,
      signal: options.signal,
    }));
}
