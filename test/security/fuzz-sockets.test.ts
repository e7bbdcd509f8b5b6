// A seeded, bounded fuzz of both JSON-RPC sockets with random and mutated frames (see
// frame-mutations.ts), against hostagentd in its own process under strace. Afterwards the
// daemon must answer on both sockets, its peak RSS (VmHWM) must stay under RSS_BOUND, and no
// file outside its --dev directory may have been created, opened for writing, renamed,
// removed or had its mode or owner changed.
//
// Deterministic: HOSTAGENT_FUZZ_SEED=<n> replays a run (the seed is printed).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { HOSTAGENTD, REPO, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { RpcClient } from '../../src/client/index.ts';
import { LineSocket } from '../rpc/line-socket.ts';
import { fuzzFrame } from './frame-mutations.ts';
import { makeRandom } from '../helpers/seeded-random.ts';

const SEED = Number(process.env.HOSTAGENT_FUZZ_SEED ?? 0x50c4e7) >>> 0;
const FRAMES = 4000;
const CONNECTIONS = 8;
// Idle, the daemon takes some 150 MiB; a run peaks around 200 MiB.
const RSS_BOUND = 384 * 2 ** 20;
const WRITE_SYSCALLS = ['open', 'openat', 'openat2', 'creat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir',
  'link', 'linkat', 'symlink', 'symlinkat', 'chmod', 'fchmodat', 'chown', 'lchown', 'fchownat', 'truncate', 'mknod', 'mknodat', 'bind'];

t.setTimeout(300_000);
t.comment(`fuzz seed ${SEED} (replay with HOSTAGENT_FUZZ_SEED=${SEED})`);

/**
 * Paths a trace line (strace -f -ttt -y) shows being written from `since` (epoch seconds) on:
 * created, opened for writing, renamed, removed, chmod/chown'ed, bound.
 */
function writtenPaths(line: string, since: number): string[] {
  const m = /^(?:\d+\s+)?(\d+\.\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
  if (!m || Number(m[1]) < since || Number(m[4]) < 0) return [];
  const [, , call, args] = m as unknown as [string, string, string, string];
  if (!WRITE_SYSCALLS.includes(call)) return [];
  if (/^open/.test(call) && !/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(args)) return [];
  // With -y, a dirfd shows its path: AT_FDCWD</cwd> or 5</dir>.
  const out: string[] = [];
  const re = /(?:(?:AT_FDCWD|\d+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"/g;
  for (let a; (a = re.exec(args));) {
    const p = a[2]!;
    out.push(p.startsWith('/') ? p : path.join(a[1] ?? '/', p));
  }
  return out;
}

t.test('random and mutated frames on both sockets: the daemon answers, stays bounded, writes only its own files', async (t) => {
  const dir = tempDir(t, 'hostagent-fuzz-sockets-');
  const traceDir = tempDir(t, 'hostagent-fuzz-trace-');
  writeDevConfig(dir, {});
  const trace = path.join(traceDir, 'trace');
  const child = spawn('strace', ['-f', '-qq', '-ttt', '-y', '--seccomp-bpf', '-o', trace, '-e', `trace=${WRITE_SYSCALLS.join(',')}`, process.execPath, HOSTAGENTD, '--dev', dir],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const admin = path.join(dir, 'run', 'admin.sock');
  const panel = path.join(dir, 'run', 'agent.sock');
  for (let waited = 0; ; waited += 100) {
    try {
      (await RpcClient.connect(admin, 1000)).close();
      break;
    } catch {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`hostagentd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // strace's child is the daemon.
  const daemonPid = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${daemonPid}/status`, 'utf8'))![1]) * 1024;

  // What start-up writes (its database, sockets, the database clients' temporary option files)
  // is not the fuzz's doing; the check covers what the daemon writes from here on.
  const fuzzStart = Date.now() / 1000;
  const r = makeRandom(SEED);
  const kinds: Record<string, number> = {};
  const badLines: string[] = [];
  let sent = 0;
  let answers = 0;
  let sessions = 0;
  async function session(sock: string): Promise<void> {
    const c = await LineSocket.connect(sock);
    sessions++;
    try {
      const frames = r.int(1, 40);
      for (let i = 0; i < frames && sent < FRAMES && !c.socket.destroyed; i++) {
        const f = fuzzFrame(r, sock === admin, sent);
        kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
        sent++;
        // Written in random pieces, as a real peer's bytes may arrive.
        const wire = Buffer.concat([f.bytes, Buffer.from('\n')]);
        for (let at = 0; at < wire.length;) {
          const n = r.int(1, wire.length - at);
          c.write(wire.subarray(at, at + n));
          at += n;
          if (r.chance(0.1)) await new Promise((res) => setImmediate(res));
        }
      }
      c.end();
      await Promise.race([c.closed, new Promise((res) => setTimeout(res, 30_000).unref())]);
      for (const line of c.takeAll()) {
        answers++;
        try {
          JSON.parse(line);
        } catch {
          badLines.push(line.slice(0, 200));
        }
      }
    } finally {
      c.destroy();
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, w) => {
    while (sent < FRAMES) await session(w % 2 ? panel : admin);
  }));

  t.comment(`${sent} frames in ${sessions} sessions, ${answers} answer lines; ${JSON.stringify(kinds)}`);
  t.ok(sent >= FRAMES, `${FRAMES} frames sent`);
  t.same(badLines.slice(0, 5), [], 'every line the daemon sent is JSON');
  for (const sock of [admin, panel]) {
    const c = await LineSocket.connect(sock);
    t.ok((await c.call<{ result?: unknown }>({ jsonrpc: '2.0', method: 'agent.status', id: 'after' }, 30_000)).result, `${path.basename(sock)} answers after the run`);
    c.destroy();
  }
  const peak = peakRss();
  t.comment(`daemon peak RSS (VmHWM) over the run: ${(peak / 2 ** 20).toFixed(1)} MiB`);
  t.ok(peak < RSS_BOUND, `its peak RSS stayed under ${RSS_BOUND / 2 ** 20} MiB`);

  // The daemon itself gets the signal; strace ends with it and reports its exit status.
  process.kill(daemonPid, 'SIGTERM');
  t.equal(await exited, 0, 'the daemon stops cleanly on SIGTERM');
  const written = new Set(fs.readFileSync(trace, 'utf8').split('\n').flatMap((l) => writtenPaths(l, fuzzStart)));
  const root = fs.realpathSync(dir);
  // tap's process-info hook, loaded into every node it runs, records the process under .tap/ at exit.
  const harness = path.join(REPO, '.tap') + '/';
  const outside = [...written].filter((p) => !(p === root || p.startsWith(root + '/') || p === dir || p.startsWith(dir + '/')) && p !== '/dev/null' && !(p + '/').startsWith(harness));
  t.ok(written.size > 0, `the trace saw the daemon's own writes during the run (${written.size} paths: its database, its socket files at stop)`);
  t.same(outside, [], 'nothing outside the daemon\'s --dev directory was written');
  t.equal(stderr, '', 'nothing on the daemon\'s stderr');
});
