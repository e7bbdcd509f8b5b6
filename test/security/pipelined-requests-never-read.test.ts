// Attack: a client pipelines requests and never reads the answers. Nothing closed it: the
// daemon paused reading, but the connection, its queued answers and its slot stayed forever.
// Now the daemon stops handling frames while a connection's answers are unread, and closes it
// once they stay unread for rpc.slowReaderTimeoutMs. A client that reads, however slowly, keeps
// its connection.
import t, { type Test } from 'tap';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { LineSocket } from '../rpc/line-socket.ts';

t.setTimeout(240_000);

type Answer = { id?: unknown; result?: Record<string, unknown> };
const STATUS = { jsonrpc: '2.0', method: 'agent.status', id: 'status' };
const SLOW_READER_MS = 3000;
const REQUESTS = 20_000;

t.test('a client that pipelines rpc.discover and never reads is paused, then closed', async (t: Test) => {
  const dir = tempDir(t, 'hostagent-slow-reader-');
  writeDevConfig(dir, { rpc: { slowReaderTimeoutMs: SLOW_READER_MS } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const panel = `${dir}/run/agent.sock`;
  const admin = `${dir}/run/admin.sock`;

  const hog = await LineSocket.connect(panel);
  t.teardown(() => hog.destroy());
  hog.socket.pause(); // never reads
  const request = JSON.stringify({ jsonrpc: '2.0', method: 'rpc.discover', id: 1 }) + '\n';
  hog.write(request.repeat(REQUESTS));
  const closed = hog.closed.then(() => true);

  // Paused: the daemon stops taking the hog's bytes, so most stay unsent on the client's side.
  let last = -1;
  for (let stable = 0; stable < 5;) {
    await new Promise((r) => setTimeout(r, 100));
    if (hog.socket.destroyed) break;
    stable = hog.socket.writableLength === last ? stable + 1 : 0;
    last = hog.socket.writableLength;
  }
  const total = request.length * REQUESTS;
  t.ok(last > total / 2, `the daemon stopped reading: ${last} of ${total} bytes unsent`);

  const bystander = await LineSocket.connect(panel);
  t.teardown(() => bystander.destroy());
  t.ok((await bystander.call<Answer>(STATUS, 30_000)).result, 'another panel client is served meanwhile');

  const closedInTime = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), SLOW_READER_MS + 60_000).unref())]);
  t.ok(closedInTime, `the hog is closed after rpc.slowReaderTimeoutMs (${SLOW_READER_MS} ms)`);
  // The log line travels through the daemon's stdout pipe: it may reach us a moment after the close.
  let logged = false;
  for (let waited = 0; waited < 30_000 && !logged; waited += 100) {
    logged = /client does not read its answers/.test(d.stdout());
    if (!logged) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(logged, 'and the daemon logs why');

  const a = await LineSocket.connect(admin);
  t.teardown(() => a.destroy());
  let panelCount = -1;
  for (let waited = 0; waited < 30_000; waited += 100) {
    panelCount = ((await a.call<Answer>(STATUS)).result?.connections as { panel: number }).panel;
    if (panelCount === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(panelCount, 1, 'its slot is free: only the bystander is left on the panel socket');
});

t.test('a client that reads its pipelined answers slowly keeps its connection', async (t: Test) => {
  const dir = tempDir(t, 'hostagent-slow-but-reading-');
  writeDevConfig(dir, { rpc: { slowReaderTimeoutMs: SLOW_READER_MS } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const c = await LineSocket.connect(`${dir}/run/agent.sock`);
  t.teardown(() => c.destroy());
  const n = 100; // some 3.5 MB of answers, far more than the socket buffers hold
  c.socket.pause();
  c.write((JSON.stringify({ jsonrpc: '2.0', method: 'rpc.discover', id: 1 }) + '\n').repeat(n));
  // Read in sips: a pause of a third of the timeout, then whatever has arrived.
  let done = false;
  const reading = c.takeLines(n, 200_000).finally(() => { done = true; });
  let sips = 0;
  while (!done && !c.socket.destroyed) {
    await new Promise((r) => setTimeout(r, SLOW_READER_MS / 3));
    c.socket.resume();
    await new Promise((r) => setImmediate(r));
    c.socket.pause();
    sips++;
  }
  c.socket.resume();
  const lines = await reading;
  t.equal(lines.length, n, `every answer arrived, in ${sips} sips`);
  t.ok(sips > 3, 'over more than the slow-reader timeout');
  t.notOk(c.ended, 'and the connection is still open');
  t.ok((await c.call<Answer>(STATUS)).result, 'and serving');
});
