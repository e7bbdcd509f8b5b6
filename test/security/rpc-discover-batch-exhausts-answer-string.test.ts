// Attack: one frame on agent.sock killed the daemon. A 1 MiB batch of 21,000 `rpc.discover`
// calls made the daemon build one answer string of 21,000 OpenRPC documents, past V8's string
// length limit; the RangeError was an unhandled rejection and hostagentd exited.
// Now a batch is bounded in length (rpc.maxBatch) and its answer line in size
// (rpc.maxAnswerBytes, built element by element), and the daemon keeps serving.
import fs from 'node:fs';
import t, { type Test } from 'tap';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { LineSocket } from '../rpc/line-socket.ts';

t.setTimeout(240_000);

type Answer = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };
const MAX_RSS = 384 * 2 ** 20;

/** The attack's frame: `n` rpc.discover calls in one batch, on one line. */
function discoverBatch(n: number, id = (i: number) => i): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', method: 'rpc.discover', id: id(i) })));
}
/** The attack's "21,000": as many 50-byte calls (one-digit ids) as fill the default 1 MiB line. */
const ATTACK_CALLS = Math.floor((1024 * 1024 - 2) / 50);

async function childDaemon(rpc: Record<string, unknown>) {
  const dir = tempDir(t, 'hostagent-discover-batch-');
  writeDevConfig(dir, { rpc });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${d.child.pid}/status`, 'utf8'))![1]) * 1024;
  return { d, panel: `${dir}/run/agent.sock`, admin: `${dir}/run/admin.sock`, peakRss };
}

async function stillServes(t: Test, sock: string, what: string): Promise<void> {
  const c = await LineSocket.connect(sock);
  t.teardown(() => c.destroy());
  t.ok((await c.call<Answer>(STATUS, 30_000)).result?.version, what);
  c.destroy();
}

t.test('a 1 MiB batch of 21,000 rpc.discover calls on agent.sock is refused, and the daemon keeps serving', async (t) => {
  const { d, panel, admin, peakRss } = await childDaemon({});
  const frame = discoverBatch(ATTACK_CALLS, (i) => i % 10);
  t.equal(ATTACK_CALLS, 20_971);
  t.ok(Buffer.byteLength(frame) < 1024 * 1024, `the frame (${Buffer.byteLength(frame)} bytes) is under the default rpc.maxLineBytes`);
  const c = await LineSocket.connect(panel);
  t.teardown(() => c.destroy());
  const answer = await c.call<Answer>(frame, 60_000);
  t.equal(answer.error?.data?.code, 'AGENT_E_BATCH_TOO_LONG', 'one error answer');
  t.equal(answer.error?.data?.limit, 100, 'naming the default rpc.maxBatch');
  t.equal(answer.id, null);
  t.ok((await c.call<Answer>(STATUS, 30_000)).result, 'the same connection still answers');
  await stillServes(t, panel, 'a new panel client is served');
  await stillServes(t, admin, 'and an admin client');
  t.equal(d.child.exitCode, null, 'hostagentd is still running');
  t.comment(`daemon peak RSS (VmHWM): ${(peakRss() / 2 ** 20).toFixed(1)} MiB`);
  t.ok(peakRss() < MAX_RSS, `its peak RSS stayed under ${MAX_RSS / 2 ** 20} MiB`);
});

t.test('with the batch limit raised, the answer line is still bounded: answers past rpc.maxAnswerBytes become errors', async (t) => {
  const maxAnswerBytes = 4 * 1024 * 1024;
  const { d, panel, admin, peakRss } = await childDaemon({ maxBatch: 10_000, maxAnswerBytes });
  const n = 10_000; // 10,000 OpenRPC documents would be some 350 MB of answer
  const c = await LineSocket.connect(panel);
  t.teardown(() => c.destroy());
  c.send(discoverBatch(n));
  const line = await c.nextLine(120_000);
  const answers = JSON.parse(line) as Answer[];
  t.equal(answers.length, n, 'one answer per call');
  const results = answers.filter((a) => a.result);
  const tooLarge = answers.filter((a) => a.error?.data?.code === 'AGENT_E_ANSWER_TOO_LARGE');
  t.ok(results.length > 0, `${results.length} documents fit`);
  t.equal(results.length + tooLarge.length, n, `the other ${tooLarge.length} are AGENT_E_ANSWER_TOO_LARGE errors`);
  t.same(answers.map((a) => a.id), answers.map((_, i) => i), 'each under its own id');
  const resultBytes = results.reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a)) + 1, 0);
  t.ok(resultBytes <= maxAnswerBytes, `the documents take ${resultBytes} bytes, at most rpc.maxAnswerBytes (${maxAnswerBytes})`);
  t.ok(Buffer.byteLength(line) < maxAnswerBytes + n * 300, `the whole line (${Buffer.byteLength(line)} bytes) is the bound plus one short error per call`);

  // A single answer over the bound: the admin socket's OpenRPC document is larger than 64 KiB.
  const small = await childDaemon({ maxAnswerBytes: 64 * 1024 });
  const a = await LineSocket.connect(small.admin);
  t.teardown(() => a.destroy());
  const single = await a.call<Answer>({ jsonrpc: '2.0', method: 'rpc.discover', id: 'big' }, 60_000);
  t.equal(single.id, 'big');
  t.equal(single.error?.data?.code, 'AGENT_E_ANSWER_TOO_LARGE', 'a single answer over the bound becomes an error answer');
  t.equal(single.error?.data?.limit, 64 * 1024);
  t.ok((await a.call<Answer>(STATUS)).result, 'and the connection goes on');

  await stillServes(t, panel, 'a new panel client is served');
  await stillServes(t, admin, 'and an admin client');
  t.equal(d.child.exitCode, null, 'hostagentd is still running');
  t.comment(`daemon peak RSS (VmHWM) after a 10,000-call rpc.discover batch: ${(peakRss() / 2 ** 20).toFixed(1)} MiB`);
  t.ok(peakRss() < MAX_RSS, `its peak RSS stayed under ${MAX_RSS / 2 ** 20} MiB`);
});
