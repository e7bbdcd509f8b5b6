// Pipes an SQL dump into a database client (psql, mariadb) on stdin, optionally after a prelude
// and through a line transform; a non-zero exit becomes a retryable error with secrets scrubbed.
import fs from 'node:fs';
import readline from 'node:readline';
import { AgentError } from '../errors/index.ts';
import { startChild, summarizeStderr } from '../sources/common/index.ts';

export interface DatabaseRestore {
  engine: 'mariadb' | 'postgresql';
  /** The database the dump goes into (the original or the staging name). */
  database: string;
  /** The account's database (the live one): its owner owns the restored copy. */
  ownerFrom: string;
  sqlFile: string;
  /** Private directory for credential files. */
  tmpDir: string;
  signal?: AbortSignal;
}

export interface SqlFeed {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Sent before the file, e.g. SET ROLE. */
  prelude?: string;
  /** Rewrites one line (without its newline), or null to leave it out; the file is then read as latin1 so bytes pass unchanged. */
  rewriteLine?: (line: string) => string | null;
  sqlFile: string;
  signal?: AbortSignal;
  secrets: (string | null)[];
  what: string;
}

async function* linesRewritten(file: string, rewrite: (line: string) => string | null): AsyncGenerator<Buffer> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const l of lines) {
    const out = rewrite(l);
    if (out !== null) yield Buffer.from(out + '\n', 'latin1');
  }
}

export async function feedSqlFile(f: SqlFeed): Promise<void> {
  const { child, exited } = startChild({ command: f.command, args: f.args, env: f.env, stdin: 'pipe', stdout: 'ignore', signal: f.signal });
  const stdin = child.stdin!;
  stdin.on('error', () => { /* the exit status reports it */ });
  const writing = (async () => {
    try {
      if (f.prelude) stdin.write(f.prelude);
      const source = f.rewriteLine ? linesRewritten(f.sqlFile, f.rewriteLine) : fs.createReadStream(f.sqlFile);
      for await (const chunk of source) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (!stdin.write(chunk)) await new Promise<void>((res) => { stdin.once('drain', res); child.once('exit', res); });
      }
    } catch { /* the client's exit status reports a broken pipe */ }
    stdin.end();
  })();
  const r = await exited.catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('AGENT_E_INTERNAL', `${f.what}: cannot run ${f.command}: ${err.code ?? err.message}`, { cause: err });
  });
  await writing;
  f.signal?.throwIfAborted();
  if (r.code !== 0) throw new AgentError('AGENT_E_INTERNAL', `${f.what} failed: ${summarizeStderr(r.stderr, f.secrets)}`, { retryable: true });
}
