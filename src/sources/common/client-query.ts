// What both database engines' read-only client queries share: running the client, turning its
// failures into AGENT_E_DB_UNAVAILABLE (no server) or AGENT_E_DB_DUMP with secrets scrubbed,
// and reading tab-separated rows.
import { AgentError } from '../../errors/index.ts';
import { assertDatabaseName } from './db-name.ts';
import { runChild, type ChildSpec } from './run-child.ts';
import { summarizeStderr } from './stderr-summary.ts';
import { dbUnavailable, serverUnreachable, type DbEngine, type DbQueryAbout } from './db-unreachable.ts';

export interface QueryOptions {
  tmpDir?: string;
  signal?: AbortSignal;
  /** The databases, phase and account an unreachable server is reported for. */
  about?: Partial<DbQueryAbout>;
}

export async function runClientQuery(engine: DbEngine, spec: ChildSpec, password: string | null, about: Partial<DbQueryAbout> = {}): Promise<string[][]> {
  const result = await runChild(spec).catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('AGENT_E_DB_DUMP', `${engine}: cannot run ${spec.command}: ${err.code ?? err.message}`, { cause: err, retryable: false });
  });
  if (result.code !== 0) {
    if (serverUnreachable(engine, result.stderr)) {
      throw dbUnavailable({ engine, databases: about.databases ?? [], phase: about.phase ?? 'query', account: about.account, detail: summarizeStderr(result.stderr, [password]) });
    }
    throw new AgentError('AGENT_E_DB_DUMP', `${engine} query failed: ${summarizeStderr(result.stderr, [password])}`, { data: { engine } });
  }
  return result.stdout.toString('utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Names as a SQL list. Only for names that passed assertDatabaseName: no quote or backslash can occur. */
export function sqlList(names: string[]): string {
  return names.map((n) => `'${n}'`).join(',');
}

/** Bytes per database, 0 for those the server does not report; `query` gets the checked names as a SQL list. */
export async function databaseSizes(databases: string[], query: (sqlList: string) => Promise<string[][]>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (databases.length === 0) return out;
  databases.forEach((d) => assertDatabaseName(d));
  for (const d of databases) out[d] = 0;
  const rows = await query(sqlList(databases));
  for (const [name, bytes] of rows) if (name !== undefined && name in out) out[name] = Number(bytes ?? 0);
  return out;
}
