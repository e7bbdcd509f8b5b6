// Broken and abusive connections against a real daemon: each one only ever costs its own
// connection, never another connection or the daemon.
import fs from 'node:fs';
import t, { type Test } from 'tap';
import { startDaemon, spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { LineSocket } from './line-socket.ts';

// Heavy by design; on a busy 2-core machine it can take longer than tap's default 30 s.
t.setTimeout(240_000);
const MAX_LINE = 64 * 1024;
const MAX_CONNECTIONS = 24;
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };

type Answer = { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };

const d = await startDaemon(t, { config: { rpc: { maxLineBytes: MAX_LINE, maxConnections: MAX_CONNECTIONS } } });
const adminPath = d.daemon.config.rpc.adminSocket;
const panelPath = d.daemon.config.rpc.panelSocket;

/** A raw connection closed with the (sub)test that opened it. */
async function connect(t: Test, sockPath = adminPath): Promise<LineSocket> {
  const c = await LineSocket.connect(sockPath);
  t.teardown(() => c.destroy());
  return c;
}

/** agent.status on a fresh connection, timed. */
async function statusRoundTrip(sockPath = adminPath): Promise<{ ms: number; answer: Answer }> {
  const c = await connect(t, sockPath);
  const started = performance.now();
  const answer = await c.call<Answer>(STATUS, 5000);
  const ms = performance.now() - started;
  c.destroy();
  return { ms, answer };
}

let child: Promise<{ sock: string; rss: () => number }> | null = null;
/**
 * One daemon in its own process, for the tests that load it heavily: its memory is its own, and
 * the test's clients do not compete with it for the same event loop.
 */
function childDaemon(): Promise<{ sock: string; rss: () => number }> {
  child ??= (async () => {
    const dir = tempDir(t);
    // A batch of 1000 and hogs that stay unread for a while: the limits under test here are
    // throttling and fairness, not rpc.maxBatch or the slow-reader timeout (test/security/).
    writeDevConfig(dir, { log: { level: 'warn' }, rpc: { maxBatch: 1000, slowReaderTimeoutMs: 600_000 } });
    const d = spawnDaemon(t, ['--dev', dir]);
    await d.waitForSocket();
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${d.child.pid}/status`, 'utf8'))![1]) * 1024;
    return { sock: `${dir}/run/admin.sock`, rss };
  })();
  return child;
}

/** The daemon's connection counts once closed connections are noticed (the probe counts as one). */
async function settledConnections(): Promise<unknown> {
  const deadline = Date.now() + 5000;
  let answer: Answer;
  do {
    answer = (await statusRoundTrip()).answer;
    const conns = answer.result?.connections as { admin: number; panel: number };
    if (conns.admin + conns.panel <= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  return answer.result?.connections;
}

t.test('a line over rpc.maxLineBytes gets AGENT_E_LINE_TOO_LONG and its connection is closed; others keep working', async (t) => {
  const bystander = await connect(t);
  for (const terminated of [false, true]) {
    const c = await connect(t);
    // A well-formed request that happens to be too long, with and without its newline.
    const huge = JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', params: { pad: 'x'.repeat(MAX_LINE) }, id: 1 });
    c.write(huge + (terminated ? '\n' : ''));
    const answer = JSON.parse(await c.nextLine()) as Answer;
    t.equal(answer.error?.code, 1014, 'the application error code of AGENT_E_LINE_TOO_LONG');
    t.equal(answer.error?.data?.code, 'AGENT_E_LINE_TOO_LONG');
    t.equal(answer.id, null, 'no id could be read from the frame');
    // The peer keeps writing; the daemon must still close the connection, not read forever.
    const keepWriting = setInterval(() => { if (!c.socket.destroyed) c.write('y'.repeat(16 * 1024)); }, 5);
    const closed = await Promise.race([c.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
    clearInterval(keepWriting);
    t.ok(closed, `the daemon closed the connection (${terminated ? 'with' : 'without'} a newline)`);
  }
  const ok = await bystander.call<Answer>(STATUS);
  t.ok(ok.result?.version, 'a connection opened before still works');
  t.ok((await statusRoundTrip()).answer.result, 'a new connection works');
});

t.test('a line of exactly rpc.maxLineBytes is accepted', async (t) => {
  const c = await connect(t);
  const base = JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 7, params: {} });
  const line = base.slice(0, -1) + ',"x":"' + 'p'.repeat(MAX_LINE - base.length - 7) + '"}';
  t.equal(Buffer.byteLength(line), MAX_LINE);
  const answer = await c.call<Answer>(line);
  t.equal(answer.id, 7);
  t.ok(answer.result?.version, 'parsed and answered, not cut off (an extra top-level member is ignored)');
});

t.test('invalid UTF-8 gets -32700 and the connection stays usable', async (t) => {
  const c = await connect(t);
  const bad = [
    Buffer.from([0xff, 0xfe, 0x0a]),
    Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]),
    Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]), // a UTF-16 surrogate
    Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n')]), // truncated sequence
  ];
  for (const frame of bad) {
    c.write(frame);
    const answer = JSON.parse(await c.nextLine()) as Answer;
    t.equal(answer.error?.code, -32700, `parse error for ${frame.toString('hex').slice(0, 24)}…`);
    t.equal(answer.id, null);
  }
  // A valid multi-byte character split across two writes is not mangled.
  const id = 'žluťoučký kůň 🐎';
  const whole = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id }) + '\n');
  const cut = whole.indexOf(Buffer.from('🐎')) + 2;
  c.write(whole.subarray(0, cut));
  await new Promise((r) => setTimeout(r, 20));
  c.write(whole.subarray(cut));
  const answer = JSON.parse(await c.nextLine()) as Answer;
  t.equal(answer.id, id, 'the id echoes intact');
  t.ok(answer.result);
});

t.test('a half-closed socket still gets every answer, then the daemon closes', async (t) => {
  const c = await connect(t);
  const n = 50;
  for (let i = 0; i < n; i++) c.send({ jsonrpc: '2.0', method: 'agent.status', id: i });
  c.send({ jsonrpc: '2.0', method: 'agent.status' }); // a notification: no answer
  c.send('not json');
  c.end();
  const ids = new Set<unknown>();
  let parseErrors = 0;
  for (let i = 0; i < n + 1; i++) {
    const a = JSON.parse(await c.nextLine()) as Answer;
    if (a.error?.code === -32700) parseErrors++;
    else if (a.result) ids.add(a.id);
  }
  t.equal(ids.size, n, 'every request answered');
  t.equal(parseErrors, 1, 'the garbage line answered too');
  await c.closed;
  t.equal(c.pending, 0, 'nothing for the notification');
});

t.test('a last frame without its newline is answered when the client half-closes', async (t) => {
  const c = await connect(t);
  c.write(JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 'unterminated' }));
  c.end();
  const a = JSON.parse(await c.nextLine()) as Answer;
  t.equal(a.id, 'unterminated');
  t.ok(a.result);
  await c.closed;
});

t.test('floods on several connections do not starve another', async (t) => {
  // Frames arrive far faster than they are handled: many tiny ones per read (parse errors), a big
  // batch, plain requests. Handled a whole read at a time, eight of these kept another
  // connection waiting for seconds.
  const garbage = 40_000;
  const requests = 2_000;
  const flood = Buffer.from([
    'x\n'.repeat(garbage),
    JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: '2.0', method: 'agent.status', id: i }))) + '\n',
    (JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 'f' }) + '\n').repeat(requests),
  ].join(''));
  const expected = garbage + 1 + requests;
  const { sock } = await childDaemon();
  const flooders = await Promise.all(Array.from({ length: 8 }, () => connect(t, sock)));
  let floodsAnswered = false;
  const reading = flooders.map(async (f) => {
    f.write(flood);
    const lines = await f.takeLines(expected, 120_000);
    const batch = lines.find((l) => l.startsWith('['));
    return { answers: lines.length, batchSize: batch ? (JSON.parse(batch) as unknown[]).length : 0 };
  });
  void Promise.all(reading).then(() => { floodsAnswered = true; }, () => undefined);
  const other = await connect(t, sock);
  let worst = 0;
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const a = await other.call<Answer>(STATUS);
    worst = Math.max(worst, performance.now() - started);
    t.ok(a.result, 'answered');
    await new Promise((r) => setTimeout(r, 20));
  }
  // Fairness as a behaviour: the other connection is answered while the floods are still being
  // answered, not after them (speed belongs in bench/rpc; the worst wait is shown).
  t.notOk(floodsAnswered, `agent.status on another connection answered during the floods (worst ${worst.toFixed(1)} ms)`);
  const results = await Promise.all(reading);
  t.same(results, flooders.map(() => ({ answers: expected, batchSize: 1000 })), 'every flooder got every answer, the batch as one array of 1000');
});

t.test('deep nesting is answered with an error, without crashing', async (t) => {
  const c = await connect(t);
  const depth = 100_000;
  const frames = [
    '['.repeat(depth) + ']'.repeat(depth),
    '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 'deep-params' }).slice(0, -1) + ',"params":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}',
    JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 'deep-array-params' }).slice(0, -1) + ',"params":' + '['.repeat(depth) + ']'.repeat(depth) + '}',
    '{"jsonrpc":"2.0","method":"agent.status","id":' + '['.repeat(depth) + ']'.repeat(depth) + '}',
    '['.repeat(depth), // truncated
  ];
  for (const frame of frames) {
    t.ok(Buffer.byteLength(frame) < 1024 * 1024, 'under the default line limit');
  }
  // A daemon with the default 1 MiB line limit (this one uses 64 KiB).
  const big = await startDaemon(t);
  const b = await LineSocket.connect(big.daemon.config.rpc.adminSocket);
  t.teardown(() => b.destroy());
  for (const frame of frames) {
    const answer = await b.call<Answer | Answer[]>(frame);
    const one = Array.isArray(answer) ? answer[0]! : answer;
    t.ok(one.error && [-32700, -32600, -32602].includes(one.error.code), `error ${one.error?.code} for ${frame.slice(0, 12)}…${frame.slice(-8)}`);
  }
  t.ok((await b.call<Answer>(STATUS)).result, 'the same connection still answers');
  t.ok((await c.call<Answer>(STATUS)).result, 'other daemons and connections unaffected');
});

t.test('many connections opened and dropped mid-frame', async (t) => {
  const rounds = 200;
  for (let i = 0; i < rounds; i += 10) {
    await Promise.all(Array.from({ length: 10 }, async (_, j) => {
      const c = await LineSocket.connect((i + j) % 2 ? panelPath : adminPath);
      c.write('{"jsonrpc":"2.0","method":"agent.st');
      if (j % 3 === 0) c.write('\n{"jsonrpc":"2.0","method":"agent.status","id":1}\n{"jsonrpc"');
      await new Promise((r) => setImmediate(r));
      c.destroy();
    }));
  }
  t.same(await settledConnections(), { admin: 1, panel: 0 }, 'their closes are noticed: only the probe itself is still connected');
});

t.test('maxConnections is respected and frees up when connections close', async (t) => {
  t.same(await settledConnections(), { admin: 1, panel: 0 }, 'no connections left from earlier tests');
  const held: LineSocket[] = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) {
    const c = await connect(t);
    t.ok((await c.call<Answer>(STATUS)).result, `connection ${i + 1} served`);
    held.push(c);
  }
  const over = await connect(t);
  over.send(STATUS);
  const refusal = await over.nextJson<Answer>();
  t.equal(refusal.error?.data?.code, 'AGENT_E_BUSY', 'a connection over the limit is told AGENT_E_BUSY');
  t.equal(refusal.error?.data?.limit, MAX_CONNECTIONS);
  if (!over.ended) await new Promise((r) => over.socket.once('end', r));
  t.equal(over.pending, 0, 'and its side closed, its request unanswered');
  t.ok((await statusRoundTrip(panelPath)).answer.result, 'the limit is per socket: the panel socket still serves');
  held.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 50));
  t.ok((await statusRoundTrip()).answer.result, 'a slot freed by a closed connection is usable again');
  for (const c of held) c.destroy();
});

t.test('a client that never reads its answers is throttled, not buffered, and blocks no one', async (t) => {
  // A separate process, so its memory is the daemon's alone.
  const { sock, rss } = await childDaemon();
  const warm = await LineSocket.connect(sock);
  t.teardown(() => warm.destroy());
  for (let i = 0; i < 2000; i++) warm.send({ jsonrpc: '2.0', method: 'agent.status', id: i });
  for (let i = 0; i < 2000; i++) await warm.nextLine();
  const before = rss();

  // Three hogs pipeline 100,000 requests each; a fourth, smaller one reads its answers at the end.
  const perClient = [20_000, 100_000, 100_000, 100_000];
  const request = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 1 }) + '\n');
  const hogs: LineSocket[] = [];
  for (const n of perClient) {
    const h = await LineSocket.connect(sock);
    t.teardown(() => h.destroy());
    h.socket.pause(); // never reads
    h.write(Buffer.concat(Array.from({ length: n }, () => request)));
    hogs.push(h);
  }
  const requests = perClient.reduce((a, b) => a + b, 0);
  // Wait until the daemon stops taking their bytes.
  let last = -1;
  for (let stable = 0; stable < 5;) {
    await new Promise((r) => setTimeout(r, 100));
    const unsent = hogs.reduce((n, h) => n + h.socket.writableLength, 0);
    stable = unsent === last ? stable + 1 : 0;
    last = unsent;
  }
  const total = request.length * requests;
  t.ok(last > total * 0.8, `the daemon stopped reading: ${(last / 2 ** 20).toFixed(1)} of ${(total / 2 ** 20).toFixed(1)} MiB still unsent`);
  const grown = rss() - before;
  t.ok(grown < 64 * 2 ** 20, `daemon RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB (answers to all would be ~${((requests * 450) / 2 ** 20).toFixed(0)} MiB)`);

  const other = await LineSocket.connect(sock);
  t.teardown(() => other.destroy());
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const a = await other.call<Answer>(STATUS);
    const ms = performance.now() - started;
    t.ok(a.result, `agent.status on another connection answered while the hogs' answers wait (${ms.toFixed(1)} ms)`);
  }

  // Once a hog reads, it gets every answer: throttling loses nothing.
  const reader = hogs[0]!;
  reader.socket.resume();
  const answers = await reader.takeLines(perClient[0]!, 60_000);
  t.equal(answers.filter((l) => (JSON.parse(l) as Answer).result).length, perClient[0], 'every pipelined request was answered once the client read');
  for (const h of hogs) h.destroy();
  t.ok((await other.call<Answer>(STATUS)).result, 'the daemon is fine after the hogs are gone');
});
