// The part both SQL engines share: run the dump tool with stdout going straight into a 0600
// spool file, turn failure into AGENT_E_DB_UNAVAILABLE or AGENT_E_DB_DUMP, and hand the file over as an archive entry.
import fs from 'node:fs/promises';
import { AgentError } from '../../errors/index.ts';
import type { ArchiveEntry } from '../../core/archive-part.ts';
import { startChild, type ChildPriority } from './run-child.ts';
import { privatePath } from './private-file.ts';
import { spoolFileEntry } from './spool-entry.ts';
import { summarizeStderr } from './stderr-summary.ts';
import { dbUnavailable, serverUnreachable } from './db-unreachable.ts';

export interface DumpRun {
  engine: 'mariadb' | 'postgresql';
  database: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  spoolDir: string;
  /** Strings that must never appear in an error message (the password). */
  secrets: Array<string | null | undefined>;
  priority?: ChildPriority;
  signal?: AbortSignal;
}

export async function dumpToSpool(run: DumpRun): Promise<ArchiveEntry> {
  const what = `${run.engine} dump of "${run.database}"`;
  if (run.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `${what}: cancelled`);
  const file = privatePath(run.spoolDir, `${run.engine}-${run.database}-`, '.sql');
  const fh = await fs.open(file, 'wx', 0o600);
  let ok = false;
  try {
    let result;
    try {
      const { exited } = startChild({ command: run.command, args: run.args, env: run.env, stdout: fh.fd, priority: run.priority, signal: run.signal });
      result = await exited;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new AgentError('AGENT_E_DB_DUMP', `${what}: cannot run ${run.command}: ${e.code ?? e.message}`, { data: { engine: run.engine, database: run.database }, cause: err, retryable: false });
    }
    if (run.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `${what}: cancelled`);
    if (result.code !== 0) {
      if (serverUnreachable(run.engine, result.stderr)) {
        throw dbUnavailable({ engine: run.engine, databases: [run.database], phase: 'dump', detail: summarizeStderr(result.stderr, run.secrets) });
      }
      const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
      throw new AgentError('AGENT_E_DB_DUMP', `${what} failed (${how}): ${summarizeStderr(result.stderr, run.secrets)}`, {
        data: { engine: run.engine, database: run.database, exitCode: result.code },
      });
    }
    const st = await fh.stat();
    ok = true;
    return spoolFileEntry(`databases/${run.database}.sql`, file, st.size, st.mtime);
  } finally {
    await fh.close();
    if (!ok) await fs.rm(file, { force: true });
  }
}
