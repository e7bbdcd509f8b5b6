// Starts real daemons for tests: in-process (fast, injectable clock) or as a child process
// (signals, exit codes, sd_notify).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { Daemon } from '../../src/app/index.ts';
import { RpcClient } from '../../src/client/index.ts';
import type { Clock } from '../../src/core/clock.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const HOSTAGENTD = path.join(REPO, 'bin/hostagentd.ts');
export const AGENTCTL = path.join(REPO, 'bin/agentctl.ts');

export function tempDir(t: Test, prefix = 'hostagent-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes DIR/agent.json for --dev with the given overrides merged over the dev defaults. */
export function writeDevConfig(dir: string, overrides: Record<string, unknown> = {}): void {
  const run = path.join(dir, 'run');
  const base: Record<string, Record<string, unknown>> = {
    paths: { database: path.join(dir, 'state', 'agent.db'), spool: path.join(dir, 'spool') },
    rpc: { adminSocket: path.join(run, 'admin.sock'), panelSocket: path.join(run, 'agent.sock'), panelGroup: null },
    download: { socket: path.join(run, 'download.sock') },
    metrics: { socket: path.join(run, 'metrics.sock') },
    log: { level: 'warn' },
  };
  for (const [k, v] of Object.entries(overrides)) base[k] = { ...(base[k] ?? {}), ...(v as Record<string, unknown>) };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'agent.json'), JSON.stringify(base, null, 2));
}

export interface InProcessDaemon {
  daemon: Daemon;
  dir: string;
  logs: Record<string, unknown>[];
  admin(): Promise<RpcClient>;
  panel(): Promise<RpcClient>;
}

/** A daemon in this process, torn down with the test. */
export async function startDaemon(t: Test, opts: { dir?: string; config?: Record<string, unknown>; clock?: Clock } = {}): Promise<InProcessDaemon> {
  const dir = opts.dir ?? tempDir(t);
  if (!fs.existsSync(path.join(dir, 'agent.json'))) writeDevConfig(dir, opts.config);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const daemon = await Daemon.start({ devDir: dir, clock: opts.clock, logDestination: sink });
  const clients: RpcClient[] = [];
  const connect = async (sock: string) => {
    const c = await RpcClient.connect(sock);
    clients.push(c);
    return c;
  };
  t.teardown(async () => {
    for (const c of clients) c.close();
    await daemon.stop();
  });
  return { daemon, dir, logs, admin: () => connect(daemon.config.rpc.adminSocket), panel: () => connect(daemon.config.rpc.panelSocket) };
}

export interface ChildDaemon {
  child: ChildProcess;
  dir: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  waitForSocket(): Promise<void>;
}

/** hostagentd as a real process (from source, or `entry` such as a build's), killed with the test if still running. */
export function spawnDaemon(t: Test, args: string[], env: NodeJS.ProcessEnv = {}, entry = HOSTAGENTD): ChildDaemon {
  const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const devIdx = args.indexOf('--dev');
  const dir = devIdx >= 0 ? args[devIdx + 1]! : '';
  return {
    child, dir, exited,
    stdout: () => out,
    stderr: () => err,
    async waitForSocket() {
      const sock = path.join(dir, 'run', 'admin.sock');
      const deadline = Date.now() + 15000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`hostagentd exited ${child.exitCode}: ${err}`);
        if (Date.now() > deadline) throw new Error(`hostagentd not ready: ${out}${err}`);
        try {
          (await RpcClient.connect(sock, 1000)).close();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
  };
}
