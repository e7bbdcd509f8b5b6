// bench/rpc: agent.status round trips per second against a real hostagentd (a child process in
// --dev mode), pipelined on one connection and across 64 concurrent connections, with p50/p99
// latency; the same load against a raw newline-delimited JSON echo server (another child
// process) in the same run is the reference. Prints both and their ratio (target >= 0.5).
// Each server's measuring time is split into rounds, alternating with the other, and its best round
// counts: on a shared machine neighbours only ever slow a round down, and alternating keeps a
// busy spell from landing on one server alone.
//
//   node bench/rpc/run.ts [--duration MS] [--rounds N] [--json]
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';

type Measured = LoadResult & { cpuUsPerCall: number };

const TARGET_RATIO = 0.5;
const here = import.meta.dirname;
const repo = path.resolve(here, '../..');

// Not strict: bench/run.ts hands every bench the same arguments; others' options are ignored here.
const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
  strict: false,
});
const durationMs = Number(args.duration);
if (!Number.isFinite(durationMs) || durationMs < 200) {
  console.error('--duration must be a number of milliseconds >= 200');
  process.exit(2);
}
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || durationMs / rounds < 200) {
  console.error('--rounds must be a whole number >= 1, with rounds of at least 200 ms');
  process.exit(2);
}

const scenarios = [
  { name: 'pipelined, 1 connection, 64 outstanding', connections: 1, window: 64 },
  { name: '64 connections, 1 outstanding each', connections: 64, window: 1 },
] as const;

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** The load's figures plus the server's CPU time per round trip, which noisy neighbours disturb far less than the rate. */
async function measure(server: ChildProcess, load: LoadOptions): Promise<Measured> {
  const cpu0 = cpuSeconds(server.pid!);
  const result = await runLoad(load);
  const cpu = cpuSeconds(server.pid!) - cpu0;
  return { ...result, cpuUsPerCall: (cpu * 1e6) / Math.max(1, result.completed) };
}

/** The best round (highest rate, its latencies with it); CPU per call over all rounds. */
function best(measured: Measured[]): Measured {
  const top = measured.reduce((a, b) => (b.rate > a.rate ? b : a));
  const completed = measured.reduce((n, m) => n + m.completed, 0);
  const cpuUs = measured.reduce((n, m) => n + m.cpuUsPerCall * m.completed, 0);
  return { ...top, cpuUsPerCall: cpuUs / Math.max(1, completed) };
}

function connectable(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

async function startChild(name: string, argv: string[], socketPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const deadline = Date.now() + 15_000;
  while (!(await connectable(socketPath))) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${socketPath}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-bench-rpc-'));
const run = path.join(dir, 'run');
const adminSocket = path.join(run, 'admin.sock');
const echoSocket = path.join(dir, 'echo.sock');
fs.mkdirSync(run, { recursive: true });
fs.writeFileSync(path.join(dir, 'agent.json'), JSON.stringify({
  paths: { database: path.join(dir, 'state', 'agent.db'), spool: path.join(dir, 'spool') },
  rpc: { adminSocket, panelSocket: path.join(run, 'agent.sock'), panelGroup: null },
  download: { socket: path.join(run, 'download.sock') },
  metrics: { socket: path.join(run, 'metrics.sock') },
  log: { level: 'warn' },
}));

const children: ChildProcess[] = [];
const rows: { scenario: string; daemon: Measured; echo: Measured; ratio: number; cpuRatio: number }[] = [];
try {
  const daemonProcess = await startChild('hostagentd', [path.join(repo, 'bin/hostagentd.ts'), '--dev', dir], adminSocket);
  children.push(daemonProcess);
  const echoProcess = await startChild('echo server', [path.join(here, 'echo-server.ts'), echoSocket], echoSocket);
  children.push(echoProcess);
  for (const s of scenarios) {
    const load = { method: 'agent.status', connections: s.connections, window: s.window, warmupMs: 300, durationMs: durationMs / rounds };
    const echoRounds: Measured[] = [];
    const daemonRounds: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      echoRounds.push(await measure(echoProcess, { ...load, socketPath: echoSocket }));
      daemonRounds.push(await measure(daemonProcess, { ...load, socketPath: adminSocket }));
    }
    const echo = best(echoRounds);
    const daemon = best(daemonRounds);
    // The same ratio from server CPU per call: what the rate would be with a core to spare, which a busy machine disturbs far less.
    rows.push({ scenario: s.name, daemon, echo, ratio: daemon.rate / echo.rate, cpuRatio: echo.cpuUsPerCall / daemon.cpuUsPerCall });
  }
} finally {
  await Promise.all(children.map(stop));
  fs.rmSync(dir, { recursive: true, force: true });
}

if (args.json) {
  console.log(JSON.stringify({ bench: 'rpc', node: process.version, cpus: os.availableParallelism(), durationMs, rounds, targetRatio: TARGET_RATIO, results: rows }));
} else {
  const fmt = (r: Measured) => `${Math.round(r.rate).toLocaleString('en-US').padStart(9)}/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  server CPU ${r.cpuUsPerCall.toFixed(1).padStart(5)} µs/call`;
  console.log(`bench/rpc: agent.status round trips (node ${process.version}, ${os.availableParallelism()} cpus, ${durationMs} ms per server and scenario: best of ${rounds} alternating rounds)`);
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(`    hostagentd   ${fmt(r.daemon)}`);
    console.log(`    echo server  ${fmt(r.echo)}`);
    console.log(`    ratio        ${r.ratio.toFixed(2)}  (target >= ${TARGET_RATIO}: ${r.ratio >= TARGET_RATIO ? 'met' : 'NOT met'}; by server CPU per call ${r.cpuRatio.toFixed(2)})`);
  }
}
