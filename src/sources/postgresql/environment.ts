// How pg_dump and psql reach the server: connection settings in PG* variables (none secret),
// the password only in a 0600 PGPASSFILE. Inherited PG* variables are dropped so that nothing
// from the daemon's own environment (PGPASSWORD, PGSERVICE…) changes where a dump goes.
import type { PostgresqlConfig } from '../../config/sections/databases.ts';

/** One ~/.pgpass line matching any host, port and database for the configured role. */
export function pgpassContent(config: PostgresqlConfig): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `*:*:*:${esc(config.user)}:${esc(config.password ?? '')}\n`;
}

export function pgEnvironment(config: PostgresqlConfig, passFile: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.PGHOST = config.host;
  env.PGPORT = String(config.port);
  env.PGUSER = config.user;
  env.PGAPPNAME = 'hostagent';
  env.PGCONNECT_TIMEOUT = '15';
  env.PGCLIENTENCODING = 'UTF8';
  // Without a password, point libpq at no file at all rather than at root's ~/.pgpass.
  env.PGPASSFILE = passFile ?? '/nonexistent/hostagent-no-pgpass';
  return env;
}
