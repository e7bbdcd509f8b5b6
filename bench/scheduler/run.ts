// bench/scheduler: a real hostagentd (child process, --dev in a temp dir) holding 10,000
// accounts and 10,000 schedules, each account with a finished backup job and a snapshot stored
// at a destination, written straight into its state database before start.
// Prints the time from spawn to "hostagentd ready" (the line logged right after READY; the
// scheduler has loaded every schedule by then), the idle RSS, and the CPU used while idle;
// then scrapes /metrics (on its Unix socket) several times and prints the median scrape time
// and the idle RSS once the scrapes are done.
//
//   node bench/scheduler/run.ts [--accounts N] [--idle-seconds S] [--scrapes N] [--json]
//
// Goals: ready <= 2 s, idle RSS <= 120 MiB (before and after scraping), idle CPU near zero,
// a scrape <= 200 ms.
//
// The daemon runs with the environment systemd/hostagent.service gives it (its Environment=
// lines, read from the unit; the unit's cache directory becomes one under the temp dir), and
// after one earlier start, as on a host where the agent has started before: that start fills
// Node's compile cache. --cold measures a first start with an empty cache instead; --bare
// drops the unit's environment altogether.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { devConfigDefaults } from '../../src/config/index.ts';
import { openState, openStore } from '../../src/state/index.ts';
import { unitEnvironment, describeEnvironment } from '../lib/unit-env.ts';
import { median } from '../lib/timing.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' }, 'idle-seconds': { type: 'string', default: '60' }, scrapes: { type: 'string', default: '9' }, json: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false }, bare: { type: 'boolean', default: false },
  },
  strict: false,
});
const count = Number(args.accounts);
const idleSeconds = Number(args['idle-seconds']);
const scrapes = Number(args.scrapes);
const GOAL = { readyMs: 2000, rssMiB: 120, scrapeMs: 200 };

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
  return Number(kb) / 1024;
}

/** Starts the daemon; resolves once it logged "hostagentd ready", with the ms that took. */
async function startDaemon(dir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; readyMs: number }> {
  const spawned = performance.now();
  const child = spawn(process.execPath, [path.join(repo, 'bin/hostagentd.ts'), '--dev', dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const readyMs = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"hostagentd ready"')) {
        clearTimeout(timer);
        resolve(performance.now() - spawned);
      }
    });
    child.once('exit', (code) => reject(new Error(`hostagentd exited ${code}: ${stderr}`)));
  });
  child.stdout!.resume();
  return { child, readyMs };
}

/** One GET /metrics over the socket: ms until the whole body arrived, and the body's size. */
function scrape(socketPath: string): Promise<{ ms: number; bytes: number; series: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get({ socketPath, path: '/metrics' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`/metrics answered ${res.statusCode}: ${text}`));
        else resolve({ ms: performance.now() - started, bytes: text.length, series: text.split('\n').filter((l) => l && !l.startsWith('#')).length });
      });
    }).on('error', reject);
  });
}

function stopDaemon(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-bench-scheduler-'));
const home = path.join(dir, 'home');
fs.mkdirSync(home);
try {
  const config = devConfigDefaults(dir) as Record<string, Record<string, unknown>>;
  config.log = { ...config.log, level: 'info' };
  fs.writeFileSync(path.join(dir, 'agent.json'), JSON.stringify(config, null, 2));
  const dbFile = (config.paths as { database: string }).database;

  // Hosts run many schedules on a few patterns: 60 distinct nightly times here, in two timezones.
  const seedStart = performance.now();
  const state = openState(dbFile);
  const store = openStore(state.db);
  const now = Date.now();
  const { uid, gid } = fs.statSync(home);
  const lastNight = now - 12 * 3600_000;
  state.db.transaction(() => {
    store.destinations.put('offsite', 'local', { directory: path.join(dir, 'offsite'), create: true }, now);
    for (let i = 0; i < count; i++) {
      const name = `acct${i}`;
      store.accounts.put({ name, uid, gid, home }, now);
      store.schedules.put({
        id: `s${i}`, cron: `${i % 60} ${1 + (i % 5)} * * *`, timezone: i % 2 ? 'Europe/Berlin' : 'UTC', target: { account: name },
        scope: 'full', compression: 'zstd', destinations: ['offsite'], retention: { keepDaily: 7, keepWeekly: 4 }, jitterSeconds: 300, enabled: true,
      }, now);
      // Last night's run: a job and its snapshot with one stored copy, so every per-account gauge has a series.
      const jobId = `job${i}`;
      const snapshotId = `snap${i}`;
      const started = lastNight + i * 1000;
      store.jobs.insert({ id: jobId, kind: 'backup', account: name, trigger: 'schedule', params: { scope: 'full', compression: 'zstd', destinations: ['offsite'], schedule: `s${i}`, createdAt: started }, snapshotId, createdAt: started });
      store.jobs.markRunning(jobId, started);
      store.jobs.finish(jobId, { status: 'succeeded', finishedAt: started + 60_000, result: { snapshotId, bytes: 1 << 20 } });
      store.snapshots.insert({
        id: snapshotId, account: name, kind: 'account_full', scope: 'full', trigger: 'schedule', jobId, note: null, compression: 'zstd', bytes: 1 << 20,
        sha256: '0'.repeat(64), files: 100, parts: [`${name}.tar.zst`], manifest: {}, temporary: false, createdAt: started, expiresAt: null,
      });
      store.snapshots.addLocation(snapshotId, { destination: 'offsite', object: `${name}.tar.zst`, bytes: 1 << 20, status: 'stored', storedAt: started + 60_000 });
    }
  })();
  state.db.close();
  const seedMs = performance.now() - seedStart;

  const cacheRoot = path.join(dir, 'cache');
  const unitEnv = args.bare ? {} : unitEnvironment(cacheRoot);
  const env = { ...process.env, ...unitEnv };
  const warmed = !args.cold && !args.bare && 'NODE_COMPILE_CACHE' in unitEnv;
  if (warmed) await stopDaemon((await startDaemon(dir, env)).child);

  const { child, readyMs } = await startDaemon(dir, env);
  // Let start-up garbage settle before measuring what idling costs.
  await new Promise((r) => setTimeout(r, 3000));
  const cpu0 = cpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleCpuSeconds = cpuSeconds(child.pid!) - cpu0;
  const rss = rssMiB(child.pid!);

  const metricsSocket = (config.metrics as { socket: string }).socket;
  const scraped: { ms: number; bytes: number; series: number }[] = [];
  const scrapeCpu0 = cpuSeconds(child.pid!);
  for (let i = 0; i < scrapes; i++) scraped.push(await scrape(metricsSocket));
  // The daemon's own CPU per scrape: unlike wall time, other work on the machine barely moves it.
  const scrapeCpuMs = ((cpuSeconds(child.pid!) - scrapeCpu0) * 1000) / scrapes;
  // Scrapes come every 15-60 s; the RSS that counts is the one between them.
  await new Promise((r) => setTimeout(r, 5000));
  const rssAfterScrapes = rssMiB(child.pid!);
  await stopDaemon(child);

  const result = {
    accounts: count, schedules: count, seedMs: Math.round(seedMs), readyMs: Math.round(readyMs), idleRssMiB: Math.round(rss * 10) / 10,
    idleSeconds, idleCpuSeconds: Math.round(idleCpuSeconds * 100) / 100, idleCpuPercent: Math.round((idleCpuSeconds / idleSeconds) * 10000) / 100,
    scrapes, scrapeMedianMs: Math.round(median(scraped.map((s) => s.ms)) * 10) / 10, scrapeMaxMs: Math.round(Math.max(...scraped.map((s) => s.ms)) * 10) / 10,
    scrapeCpuMs: Math.round(scrapeCpuMs), scrapeBytes: scraped[0]?.bytes ?? 0, scrapeSeries: scraped[0]?.series ?? 0, idleRssAfterScrapesMiB: Math.round(rssAfterScrapes * 10) / 10,
    environment: describeEnvironment(unitEnv, cacheRoot),
    compileCache: warmed ? 'warm (one earlier start)' : 'NODE_COMPILE_CACHE' in unitEnv ? 'cold (first start)' : 'off',
    goals: GOAL, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  if (args.json) console.log(JSON.stringify(result));
  else {
    console.log(`${count} accounts + ${count} schedules (seeded in ${result.seedMs} ms)`);
    console.log(`daemon environment: ${result.environment} (${args.bare ? 'the unit\'s dropped by --bare' : 'from systemd/hostagent.service'})`);
    console.log(`compile cache:      ${result.compileCache}`);
    console.log(`spawn -> ready:     ${result.readyMs} ms   (goal <= ${GOAL.readyMs} ms) ${result.readyMs <= GOAL.readyMs ? 'ok' : 'MISSED'}`);
    console.log(`idle RSS:           ${result.idleRssMiB} MiB (goal <= ${GOAL.rssMiB} MiB) ${result.idleRssMiB <= GOAL.rssMiB ? 'ok' : 'MISSED'}`);
    console.log(`idle CPU over ${idleSeconds} s: ${result.idleCpuSeconds} s (${result.idleCpuPercent} %)`);
    console.log(`/metrics scrape:    median ${result.scrapeMedianMs} ms, max ${result.scrapeMaxMs} ms over ${scrapes} (goal <= ${GOAL.scrapeMs} ms) ${result.scrapeMedianMs <= GOAL.scrapeMs ? 'ok' : 'MISSED'}; daemon CPU ${result.scrapeCpuMs} ms per scrape; ${result.scrapeSeries} series, ${Math.round(result.scrapeBytes / 1024)} KiB`);
    console.log(`idle RSS after scraping: ${result.idleRssAfterScrapesMiB} MiB (goal <= ${GOAL.rssMiB} MiB) ${result.idleRssAfterScrapesMiB <= GOAL.rssMiB ? 'ok' : 'MISSED'}`);
    console.log(`load average:       ${result.loadAverage.join(' ')} (other work on this machine inflates the figures)`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
