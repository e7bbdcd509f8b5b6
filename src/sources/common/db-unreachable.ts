// Telling "the database server is not there" apart from other client failures (a bad password,
// a missing database), so an admin reads AGENT_E_DB_UNAVAILABLE naming the engine, the
// databases and the phase instead of a dump or estimate error.
import { AgentError } from '../../errors/index.ts';

export type DbEngine = 'mariadb' | 'postgresql';

/** What the operation was doing: the size check backup.create makes, backup.estimate, the dump itself, or another query. */
export type DbPhase = 'size check before the backup' | 'estimate' | 'dump' | 'existence check' | 'query';

/** Which databases a client run is about, and why, for the error that names them. */
export interface DbQueryAbout {
  databases: string[];
  phase: DbPhase;
  account?: string;
}

// The clients' own wording for a server that cannot be reached (refused, no socket, unknown host, dropped).
const UNREACHABLE: Record<DbEngine, RegExp> = {
  mariadb: /Can't connect to|Unknown (MySQL |MariaDB )?server host|server has gone away|Lost connection to (MySQL |MariaDB )?server/i,
  postgresql: /connection to server .* failed: (Connection refused|No such file or directory|Connection timed out|timeout expired|Network is unreachable|No route to host)|could not translate host name|could not connect to server/i,
};

export function serverUnreachable(engine: DbEngine, stderr: string): boolean {
  return UNREACHABLE[engine].test(stderr);
}

/** The error for an unreachable server; `detail` is the client's scrubbed stderr summary. */
export function dbUnavailable(f: DbQueryAbout & { engine: DbEngine; detail: string }): AgentError {
  const names = f.databases.map((d) => `"${d}"`).join(', ');
  const owner = f.account ? ` of account ${f.account}` : '';
  return new AgentError('AGENT_E_DB_UNAVAILABLE',
    `${f.engine} database${f.databases.length === 1 ? '' : 's'} ${names}${owner}: the server cannot be reached (phase: ${f.phase}): ${f.detail}`,
    { data: { engine: f.engine, databases: f.databases, phase: f.phase, ...(f.account ? { account: f.account } : {}) } });
}
