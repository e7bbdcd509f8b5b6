// A private MariaDB server for tests: its own datadir, Unix socket and loopback port in a temp
// dir, run as the `mysql` user when we are root. Independent of any system service.
//
//   const db = await startMariadb();            // throws when the binaries are missing
//   db.config  -> a databases.mariadb config section pointing at it (root + password)
//   await db.sql('SELECT 1', 'shop')            // runs the real client, returns stdout
//   await db.stop()
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { MariadbConfig } from '../../src/config/sections/databases.ts';
import { freePort } from './free-port.ts';

const execFileP = promisify(execFile);

export const MARIADB_BINARIES = ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump'];

/** Where mariadbd lives (it is in /usr/sbin, often not on a test PATH). */
function findServer(): string | null {
  for (const p of ['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/bin/mariadbd']) if (fs.existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v mariadbd'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Whether a private MariaDB can be started here; a reason when not. */
export function mariadbAvailable(): { ok: boolean; why: string } {
  if (!findServer()) return { ok: false, why: 'mariadbd not found (apt-get install mariadb-server)' };
  for (const b of ['mariadb-install-db', 'mariadb', 'mariadb-dump']) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', b], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: `${b} not found (apt-get install mariadb-server mariadb-client)` };
    }
  }
  return { ok: true, why: '' };
}

export interface MariadbPeer {
  dir: string;
  socket: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** A `databases.mariadb` config section for this server over its socket. */
  config: MariadbConfig;
  /** Runs SQL with the real `mariadb` client as root; returns stdout (batch mode, no column names). */
  sql(query: string, database?: string): Promise<string>;
  /** Loads an SQL file into a database with the real client. */
  load(file: string, database: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startMariadb(): Promise<MariadbPeer> {
  const server = findServer();
  if (!server) throw new Error('mariadbd not found');
  const isRoot = process.getuid?.() === 0;
  // Short path: Unix socket paths are limited to 107 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-mdb-'));
  fs.chmodSync(dir, 0o755);
  const datadir = path.join(dir, 'data');
  fs.mkdirSync(datadir, { mode: 0o700 });
  // The server writes its socket, pid and log in run/, so that directory is the server's too.
  const run = path.join(dir, 'run');
  fs.mkdirSync(run, { mode: 0o755 });
  const owner = isRoot ? ['--user=mysql'] : [];
  if (isRoot) execFileSync('chown', ['mysql:mysql', datadir, run]);
  await execFileP('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, ...owner,
    '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { timeout: 60_000 });

  const socket = path.join(run, 'mysqld.sock');
  const port = await freePort();
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const child = spawn(server, ['--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`,
    '--bind-address=127.0.0.1', ...owner, `--pid-file=${path.join(run, 'mysqld.pid')}`, `--log-error=${path.join(run, 'error.log')}`,
    '--skip-log-bin', '--skip-name-resolve', '--innodb-buffer-pool-size=32M', '--innodb-log-file-size=16M',
    '--innodb-flush-log-at-trx-commit=0', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
    '--event-scheduler=OFF', '--max-connections=50'], { stdio: 'ignore' });
  // A test that times out or crashes skips teardown: still leave no server and no files behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

  // Until the password is set, root logs in without one over the socket.
  const adminCnf = path.join(dir, 'admin.cnf');
  fs.writeFileSync(adminCnf, `[client]\nuser=root\nsocket=${socket}\n`, { mode: 0o600 });
  const client = (args: string[]) => execFileP('mariadb', [`--defaults-extra-file=${adminCnf}`, '--batch', '--skip-column-names', '--default-character-set=utf8mb4', ...args], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`mariadbd exited during start: ${readTail(path.join(run, 'error.log'))}`);
    try {
      await client(['-e', 'SELECT 1']);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`mariadbd did not answer within 30 s: ${(err as Error).message} ${readTail(path.join(run, 'error.log'))}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await client(['-e', ['localhost', '127.0.0.1', '::1'].map((h) => `ALTER USER IF EXISTS 'root'@'${h}' IDENTIFIED BY '${password}';`).join('')]);
  fs.writeFileSync(adminCnf, `[client]\nuser=root\npassword=${password}\nsocket=${socket}\n`, { mode: 0o600 });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedP;
      clearTimeout(t);
    }
    process.removeListener('exit', killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  return {
    dir, socket, host: '127.0.0.1', port, user: 'root', password,
    config: {
      enabled: true, host: null, port, socket, user: 'root', password, defaultsFile: null,
      dumpCommand: 'mariadb-dump', clientCommand: 'mariadb', extraArgs: [],
    },
    async sql(query, database) {
      const { stdout } = await client([...(database ? [`--database=${database}`] : []), '-e', query]);
      return stdout;
    },
    async load(file, database) {
      await new Promise<void>((resolve, reject) => {
        const input = fs.openSync(file, 'r');
        const p = spawn('mariadb', [`--defaults-extra-file=${adminCnf}`, '--default-character-set=utf8mb4', `--database=${database}`], { stdio: [input, 'ignore', 'pipe'] });
        fs.closeSync(input);
        let err = '';
        p.stderr!.on('data', (d) => { err += d; });
        p.once('error', reject);
        p.once('close', (code) => code === 0 ? resolve() : reject(new Error(`mariadb load into ${database} failed (${code}): ${err}`)));
      });
    },
    stop,
  };
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-1500);
  } catch {
    return '';
  }
}
