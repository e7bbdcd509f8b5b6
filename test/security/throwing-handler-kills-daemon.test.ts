// Attack: an unexpected error in one connection's work ended hostagentd. A fault outside a
// handler's own error mapping (in dispatch, in building an answer) was an unhandled rejection,
// and Node ends the process on one; so did any stray exception.
// Now a fault in a connection's work is logged with its request id and closes that connection
// only, and process-level guards log any unhandled rejection or uncaught exception and keep the
// daemon serving. faulty-hostagentd.ts injects the faults into the real daemon.
import path from 'node:path';
import t, { type Test } from 'tap';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { LineSocket } from '../rpc/line-socket.ts';

t.setTimeout(240_000);

type Answer = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };
type LogLine = { level?: string; msg?: string; requestId?: string; err?: { message?: string } };
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };

t.test('faults in a connection or a handler, and stray ones, leave the daemon serving', async (t: Test) => {
  const dir = tempDir(t, 'hostagent-faults-');
  writeDevConfig(dir, {});
  const d = spawnDaemon(t, ['--dev', dir], {}, path.join(import.meta.dirname, 'faulty-hostagentd.ts'));
  await d.waitForSocket();
  const panel = `${dir}/run/agent.sock`;
  const admin = `${dir}/run/admin.sock`;
  const logs = (): LogLine[] => d.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
  async function logged(match: (l: LogLine) => boolean): Promise<LogLine | undefined> {
    for (let waited = 0; waited < 30_000; waited += 50) {
      const hit = logs().find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  }
  async function connect(sock: string): Promise<LineSocket> {
    const c = await LineSocket.connect(sock);
    t.teardown(() => c.destroy());
    return c;
  }

  const bystander = await connect(panel);
  t.ok((await bystander.call<Answer>(STATUS)).result, 'a bystander connection is served');

  for (const method of ['fault.throw', 'fault.reject']) {
    const c = await connect(panel);
    const answer = await c.call<Answer>({ jsonrpc: '2.0', method, id: 1 }, 30_000);
    t.equal(answer.error?.code, -32603, `${method}: answered -32603`);
    t.equal(answer.error?.data?.code, 'AGENT_E_INTERNAL');
    const requestId = answer.error?.data?.requestId;
    t.type(requestId, 'string', 'with a request id to quote');
    if (!c.ended) await new Promise((r) => c.socket.once('end', r));
    t.pass(`${method}: that connection is closed`);
    const line = await logged((l) => l.msg === 'connection fault; closing the connection' && l.requestId === requestId);
    t.ok(line, `${method}: the fault is logged under the same request id`);
    t.match(line?.err?.message, /^injected: the dispatcher/, 'with its cause');
    t.ok((await bystander.call<Answer>(STATUS)).result, `${method}: the bystander connection is unaffected`);
  }

  // A handler that throws: its caller gets AGENT_E_INTERNAL, the connection goes on.
  const a = await connect(admin);
  const reload = await a.call<Answer>({ jsonrpc: '2.0', method: 'agent.reload', id: 2 }, 30_000);
  t.equal(reload.error?.data?.code, 'AGENT_E_INTERNAL', 'a throwing handler answers AGENT_E_INTERNAL');
  const reloadId = reload.error?.data?.requestId;
  t.ok(await logged((l) => l.msg === 'rpc handler failed' && l.requestId === reloadId), 'logged under its request id');
  t.ok((await a.call<Answer>(STATUS)).result, 'and the same connection still serves');

  // Faults nobody catches: the process guards log them, and the daemon lives on.
  const stray = await connect(panel);
  t.ok((await stray.call<Answer>({ jsonrpc: '2.0', method: 'fault.strayRejection', id: 3 }, 30_000)).result, 'a call that leaves a stray rejection is answered');
  const rejection = await logged((l) => l.msg === 'unhandled rejection; the daemon keeps running');
  t.match(rejection?.err?.message, 'a rejection nobody handles', 'the unhandled rejection is logged');
  t.ok((await stray.call<Answer>({ jsonrpc: '2.0', method: 'fault.strayException', id: 4 }, 30_000)).result, 'a call that leaves a stray exception is answered');
  const exception = await logged((l) => l.msg === 'uncaught exception; the daemon keeps running');
  t.match(exception?.err?.message, 'an exception nobody catches', 'the uncaught exception is logged');

  await new Promise((r) => setTimeout(r, 200));
  t.equal(d.child.exitCode, null, 'hostagentd is still running');
  const fresh = await connect(panel);
  t.ok((await fresh.call<Answer>(STATUS, 30_000)).result, 'a new panel client is served');
  t.ok((await stray.call<Answer>(STATUS)).result, 'and so is the connection that left the stray faults');
  for (const c of [bystander, a, stray, fresh]) c.destroy();
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0, 'it still stops cleanly on SIGTERM');
});
