// Attack: a client begins a frame and never finishes it (slowloris). Nothing timed out a frame
// without its newline, so a connection could be held forever with a few bytes, or a byte now
// and then.
// Now a frame begun must end within rpc.frameTimeoutMs, however many bytes trickle in; past it
// the client gets AGENT_E_FRAME_TIMEOUT and the connection is closed.
import t, { type Test } from 'tap';
import { startDaemon } from '../helpers/daemon.ts';
import { LineSocket } from '../rpc/line-socket.ts';

t.setTimeout(240_000);

type Answer = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };
const FRAME_MS = 1500;

const d = await startDaemon(t, { config: { rpc: { frameTimeoutMs: FRAME_MS } } });
const panel = d.daemon.config.rpc.panelSocket;

async function connect(t: Test): Promise<LineSocket> {
  const c = await LineSocket.connect(panel);
  t.teardown(() => c.destroy());
  return c;
}

async function expectFrameTimeout(t: Test, c: LineSocket): Promise<void> {
  const answer = await c.nextJson<Answer>(FRAME_MS + 30_000);
  t.equal(answer.error?.code, 1019, 'the client is told');
  t.equal(answer.error?.data?.code, 'AGENT_E_FRAME_TIMEOUT');
  t.equal(answer.error?.data?.limitMs, FRAME_MS);
  // An end, or a reset when the daemon closes with the client's bytes still unread.
  if (!c.ended) await Promise.race([new Promise((r) => c.socket.once('end', r)), c.closed]);
  t.pass('and the connection is closed');
}

t.test('a frame begun and never finished is cut off after rpc.frameTimeoutMs', async (t) => {
  const c = await connect(t);
  c.write('{"jsonrpc":"2.0","method":"agent.st');
  await expectFrameTimeout(t, c);
});

t.test('a frame dripped a byte at a time is cut off too: bytes do not reset the clock', async (t) => {
  const c = await connect(t);
  const frame = JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', params: { pad: 'x'.repeat(10_000) }, id: 1 });
  let at = 0;
  const drip = setInterval(() => { if (!c.socket.destroyed && !c.ended) c.write(frame[at++ % frame.length]!); }, 100);
  t.teardown(() => clearInterval(drip));
  await expectFrameTimeout(t, c);
  clearInterval(drip);
});

t.test('complete frames, quiet gaps and a frame sent in two parts are not cut off', async (t) => {
  const c = await connect(t);
  t.ok((await c.call<Answer>(STATUS)).result, 'served');
  await new Promise((r) => setTimeout(r, FRAME_MS * 2));
  t.ok((await c.call<Answer>(STATUS)).result, 'still served after a quiet gap longer than the frame timeout');
  const line = JSON.stringify(STATUS);
  c.write(line.slice(0, 10));
  await new Promise((r) => setTimeout(r, FRAME_MS / 3));
  c.write(line.slice(10) + '\n');
  t.ok((await c.nextJson<Answer>()).result, 'a frame finished within the timeout is answered');
  await new Promise((r) => setTimeout(r, FRAME_MS * 2));
  t.notOk(c.ended, 'and the connection stays open');
  t.ok((await c.call<Answer>(STATUS)).result);
});
