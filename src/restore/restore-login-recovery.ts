// At daemon start: drops every `hostagent_restore_*` role (PostgreSQL) and user (MariaDB) a
// restore left behind when the daemon crashed or was killed mid-load. An engine that is not
// enabled is skipped; one that cannot be reached is logged and skipped, never fatal.
import type { AgentConfig } from '../config/index.ts';
import { mariadbQuery } from '../sources/mariadb/query.ts';
import { postgresqlQuery } from '../sources/postgresql/query.ts';
import { dropMariadbLogin } from './mariadb-restore.ts';
import { dropPostgresqlLogin } from './postgresql-restore.ts';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const LIKE = `'hostagent\\_restore\\_%'`;

export async function dropLeftoverRestoreLogins(config: Pick<AgentConfig, 'databases'>, log: Log, tmpDir?: string): Promise<void> {
  const pg = config.databases.postgresql;
  if (pg.enabled) {
    try {
      const rows = await postgresqlQuery(pg, `SELECT rolname FROM pg_roles WHERE rolname LIKE ${LIKE}`, { tmpDir });
      for (const [name] of rows) await dropPostgresqlLogin(pg, name!, { tmpDir });
      if (rows.length) log.info({ roles: rows.map((x) => x[0]) }, 'dropped PostgreSQL restore roles left by an earlier run');
    } catch (err) {
      log.warn({ err }, 'could not check PostgreSQL for leftover restore roles');
    }
  }
  const maria = config.databases.mariadb;
  if (maria.enabled) {
    try {
      const rows = await mariadbQuery(maria, `SELECT DISTINCT User FROM mysql.user WHERE User LIKE ${LIKE}`, { tmpDir });
      for (const [name] of rows) await dropMariadbLogin(maria, name!, { tmpDir });
      if (rows.length) log.info({ users: rows.map((x) => x[0]) }, 'dropped MariaDB restore users left by an earlier run');
    } catch (err) {
      log.warn({ err }, 'could not check MariaDB for leftover restore users');
    }
  }
}
