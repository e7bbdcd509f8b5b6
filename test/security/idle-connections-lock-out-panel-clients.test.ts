// Attack: 1,024 idle connections locked every new panel client out. agent.sock took at most
// rpc.maxConnections (1,024) connections, dropped the next one without a word (the client saw
// EPIPE or silence), and nothing ever timed out an idle or slow client.
// Now a full socket answers a new client with one AGENT_E_BUSY line before closing it, the limit
// is per socket (the admin socket is unaffected), and idle connections are closed after
// rpc.idleTimeoutMs, which frees their slots.
import t, { type Test } from 'tap';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { LineSocket } from '../rpc/line-socket.ts';

t.setTimeout(240_000);

type Answer = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };
const MAX_CONNECTIONS = 1024; // the default
const IDLE_MS = 15_000; // long enough to open 1,024 connections first on a busy machine

/** Resolves once the daemon has ended the connection (its side); false if it did not within `ms`. */
function endedWithin(c: LineSocket, ms: number): Promise<boolean> {
  if (c.ended) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    c.socket.once('end', () => { clearTimeout(timer); resolve(true); });
    c.socket.once('close', () => { clearTimeout(timer); resolve(true); });
  });
}

t.test('1,024 idle panel connections: a new client is told AGENT_E_BUSY, the admin socket works, idle ones time out', async (t: Test) => {
  const dir = tempDir(t, 'hostagent-idle-');
  writeDevConfig(dir, { rpc: { idleTimeoutMs: IDLE_MS } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const panel = `${dir}/run/agent.sock`;
  const admin = `${dir}/run/admin.sock`;

  // One client that keeps calling is active, not idle: it must survive the idle timeout.
  const active = await LineSocket.connect(panel);
  t.teardown(() => active.destroy());
  t.ok((await active.call<Answer>(STATUS)).result, 'an active client is served');
  let calls = 0;
  let activeFailure = '';
  let keepCalling = true;
  const activeLoop = (async () => {
    while (keepCalling) {
      try {
        if (!(await active.call<Answer>({ ...STATUS, id: ++calls }, 30_000)).result) activeFailure = `call ${calls} failed`;
      } catch (err) {
        activeFailure = `call ${calls}: ${(err as Error).message}`;
        return;
      }
      await new Promise((r) => setTimeout(r, IDLE_MS / 5));
    }
  })();

  // The attacker: connections that connect and then say nothing.
  const idle: LineSocket[] = [];
  while (idle.length < MAX_CONNECTIONS - 1) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, MAX_CONNECTIONS - 1 - idle.length) }, () => LineSocket.connect(panel)));
    idle.push(...batch);
  }
  t.teardown(() => { for (const c of idle) c.destroy(); });
  t.equal(idle.length + 1, MAX_CONNECTIONS, 'the panel socket is full');

  const late = await LineSocket.connect(panel);
  t.teardown(() => late.destroy());
  late.send(STATUS);
  const refusal = await late.nextJson<Answer>(30_000);
  t.equal(refusal.error?.code, 1015, 'a new panel client gets an error line, not silence');
  t.equal(refusal.error?.data?.code, 'AGENT_E_BUSY');
  t.equal(refusal.error?.data?.limit, MAX_CONNECTIONS);
  t.match(refusal.error?.message, /panel socket .*1024 connections/, 'saying which socket is full and why');
  t.ok(await endedWithin(late, 30_000), 'and is then closed');
  t.equal(late.pending, 0, 'its request was not run');

  const a = await LineSocket.connect(admin);
  t.teardown(() => a.destroy());
  t.ok((await a.call<Answer>(STATUS)).result, 'the admin socket still serves while the panel socket is full');
  const counts = (await a.call<Answer>(STATUS)).result?.connections as { panel: number };
  t.equal(counts.panel, MAX_CONNECTIONS, 'the daemon counts 1,024 panel connections');
  a.destroy();

  const closed = await Promise.all(idle.map((c) => endedWithin(c, IDLE_MS + 60_000)));
  t.equal(closed.filter(Boolean).length, idle.length, `every idle connection was closed after rpc.idleTimeoutMs (${IDLE_MS} ms)`);
  for (const c of idle) c.destroy();

  const fresh = await LineSocket.connect(panel);
  t.teardown(() => fresh.destroy());
  t.ok((await fresh.call<Answer>(STATUS, 30_000)).result, 'a new panel client is served once the idle ones are gone');
  keepCalling = false;
  await activeLoop;
  t.equal(activeFailure, '', `the active client kept being served throughout (${calls} calls)`);
  t.notOk(active.ended, 'and was never closed as idle');
});
