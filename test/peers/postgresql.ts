// A private PostgreSQL 15 server for tests: initdb into a temp dir, `postgres` on its own Unix
// socket directory and a random loopback port, run as the `postgres` user when we are root
// (PostgreSQL refuses to run as root). The admin role has a password (scram-sha-256), so the
// password-file path of the code under test is really exercised. Independent of system services.
//
//   const pg = await startPostgresql();
//   pg.config -> a databases.postgresql config section pointing at it
//   await pg.sql('SELECT 1', 'shop'); await pg.load(file, 'fresh'); await pg.stop();
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { PostgresqlConfig } from '../../src/config/sections/databases.ts';
import { freePort } from './free-port.ts';

const execFileP = promisify(execFile);

function findBinDir(): string | null {
  for (const v of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (fs.existsSync(path.join(dir, 'postgres')) && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return null;
}

export function postgresqlAvailable(): { ok: boolean; why: string } {
  if (!findBinDir()) return { ok: false, why: 'postgres/initdb not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)' };
  for (const b of ['psql', 'pg_dump']) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', b], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: `${b} not found (apt-get install postgresql-client)` };
    }
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: 'no postgres user to run the server as' };
    }
  }
  return { ok: true, why: '' };
}

export interface PostgresqlPeer {
  dir: string;
  /** Directory holding the Unix socket (.s.PGSQL.<port>). */
  socketDir: string;
  host: string;
  port: number;
  user: string;
  password: string;
  config: PostgresqlConfig;
  /** Environment for running the real psql against this server as the admin role. */
  env: NodeJS.ProcessEnv;
  /** Runs SQL with psql (unaligned, tuples only, tab separated); returns stdout. */
  sql(query: string, database?: string): Promise<string>;
  /** Loads an SQL file with psql -v ON_ERROR_STOP=1. */
  load(file: string, database: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgresql(): Promise<PostgresqlPeer> {
  const bin = findBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
    : {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'run');
  const pwFile = path.join(socketDir, 'initpw');
  fs.mkdirSync(data, { mode: 0o700 });
  fs.mkdirSync(socketDir, { mode: 0o755 });
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', data, socketDir]);

  await execFileP(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`,
    '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], { ...ids, timeout: 60_000, cwd: dir });
  fs.rmSync(pwFile);

  const port = await freePort();
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, '-k', socketDir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'shared_buffers=16MB', '-c', 'max_connections=40', '-c', 'logging_collector=off'], { ...ids, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
  // A test that times out or crashes skips teardown: still leave no server and no files behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

  // The test's own client uses a password file too, kept root-only in the temp dir.
  const passFile = path.join(dir, 'pgpass');
  fs.writeFileSync(passFile, `*:*:*:postgres:${password}\n`, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, PGHOST: socketDir, PGPORT: String(port), PGUSER: 'postgres', PGPASSFILE: passFile, PGCLIENTENCODING: 'UTF8' };
  delete env.PGPASSWORD;
  delete env.PGDATABASE;
  const psql = (args: string[]) => execFileP('psql', ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', ...args], { env, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`postgres exited during start: ${log}`);
    try {
      await psql(['-d', 'postgres', '-c', 'SELECT 1']);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`postgres did not answer within 30 s: ${(err as Error).message} ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGINT'); // fast shutdown
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedP;
      clearTimeout(t);
    }
    process.removeListener('exit', killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  return {
    dir, socketDir, host: '127.0.0.1', port, user: 'postgres', password, env,
    config: {
      enabled: true, host: socketDir, port, user: 'postgres', password, maintenanceDatabase: 'postgres',
      dumpCommand: 'pg_dump', clientCommand: 'psql', extraArgs: [],
    },
    async sql(query, database = 'postgres') {
      const { stdout } = await psql(['-d', database, '-c', query]);
      return stdout;
    },
    async load(file, database) {
      await psql(['-d', database, '-f', file]);
    },
    stop,
  };
}
