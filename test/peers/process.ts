// Server processes started by tests: wait until they listen, and kill them together with every
// process they forked (sshd and vsftpd serve each connection from a child).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

/**
 * SIGKILLs a process started by the test and all its descendants, then waits for it to exit.
 * With `termFirst`, the server gets SIGTERM and that long to exit by itself (servers that
 * persist their state lazily, like Azurite, lose acknowledged writes on SIGKILL).
 */
export async function killTree(child: ChildProcess, termFirstMs = 0): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const family = [child.pid, ...descendants(child.pid)];
  if (termFirstMs > 0) {
    for (const p of family) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
    if (await Promise.race([exited.then(() => true), sleep(termFirstMs).then(() => false)])) return;
  }
  for (const p of family) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
  await exited;
  // Per-connection children are not ours to wait for; poll until they are gone (or zombies).
  const until = Date.now() + 3000;
  while (family.some(alive) && Date.now() < until) await sleep(20);
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Starts a server binary, keeping the tail of its stderr for error messages. */
export function startProcess(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess & { stderrTail(): string } {
  const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-2000); });
  child.on('error', (err) => { tail += `\n${err.message}`; });
  return Object.assign(child, { stderrTail: () => tail });
}

export interface RestartableServer {
  /** Starts the server and waits for its port; throws with its stderr when it does not come up. */
  start(): Promise<void>;
  /** Stops it (the peer-down tests stop and start it again). */
  stop(): Promise<void>;
}

/** A server process on a loopback port that tests can stop and start again. */
export function restartableServer(name: string, cmd: string, args: string[], port: number, opts: { startTimeoutMs?: number; termFirstMs?: number } = {}): RestartableServer {
  let child: (ChildProcess & { stderrTail(): string }) | undefined;
  return {
    async start() {
      const c = startProcess(cmd, args);
      child = c;
      try {
        await waitForPort(port, c, opts.startTimeoutMs);
      } catch (err) {
        await killTree(c);
        child = undefined;
        throw new Error(`${name} did not start: ${(err as Error).message}: ${c.stderrTail()}`);
      }
    },
    async stop() {
      if (child) await killTree(child, opts.termFirstMs);
      child = undefined;
    },
  };
}
