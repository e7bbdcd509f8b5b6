// The RPC hot path against a real daemon: frames decoded many to a chunk, the direct answer of
// single requests, and agent.status reusing its previous answer only while nothing in it moved.
import t from 'tap';
import { ManualClock } from '../../src/core/clock.ts';
import { answerJson, frozenResult, safeResult } from '../../src/rpc/answer-json.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { LineSocket } from './line-socket.ts';

type Answer = { jsonrpc?: string; id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const d = await startDaemon(t, { clock });
const adminPath = d.daemon.config.rpc.adminSocket;

async function connect(path = adminPath): Promise<LineSocket> {
  const c = await LineSocket.connect(path);
  t.teardown(() => c.destroy());
  return c;
}

const status = (id: unknown) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id }));

t.test('one chunk of many frames: a bad one only costs itself', async (t) => {
  const c = await connect();
  const id = 'žluťoučký kůň 🐎';
  c.write(Buffer.concat([
    status(1), Buffer.from('\n'),
    Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n'),
    status(id), Buffer.from('\n'),
    status(3), Buffer.from('\r\n'), // CRLF line ends are accepted
    Buffer.from([0xef, 0xbb, 0xbf]), status(4), Buffer.from('\n'), // as a UTF-8 decoder would, a leading BOM is skipped
    Buffer.from('\n\r\n'), // blank lines get no answer
    Buffer.from('{"jsonrpc":"2.0","method":"agent.status","id":5\n'), // truncated JSON
    status(6), Buffer.from('\n'),
  ]));
  const answers = (await c.takeLines(7)).map((l) => JSON.parse(l) as Answer);
  const byId = new Map(answers.map((a) => [JSON.stringify(a.id) + (a.error ? ' error' : ''), a]));
  for (const ok of [1, id, 3, 4, 6]) t.ok(byId.get(JSON.stringify(ok))?.result?.version, `answered ${ok}`);
  const errors = answers.filter((a) => a.error);
  t.same(errors.map((a) => [a.id, a.error?.code, a.error?.data?.reason]).sort(), [[null, -32700, 'invalid JSON'], [null, -32700, 'invalid UTF-8']]);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(c.pending, 0, 'nothing more');
});

t.test('an invalid byte in the tail of a line begun in an earlier chunk', async (t) => {
  const c = await connect();
  c.write('{"jsonrpc":"2.0","method":"agent.status","id":"');
  await new Promise((r) => setTimeout(r, 20));
  c.write(Buffer.concat([Buffer.from([0xe2, 0x82]), Buffer.from('"}\n'), status('after'), Buffer.from('\n')]));
  const [bad, good] = (await c.takeLines(2)).map((l) => JSON.parse(l) as Answer);
  t.equal(bad!.error?.code, -32700);
  t.equal(bad!.error?.data?.reason, 'invalid UTF-8');
  t.equal(good!.id, 'after');
  t.ok(good!.result);
});

t.test('the direct path keeps the library\'s answers', async (t) => {
  const c = await connect();
  const bad = await c.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 1, params: { nope: 1 } });
  t.match(bad, { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params', data: { field: 'nope' } } }, 'bad params: -32602 naming the field');
  // Members the library takes as marking a response, not a request.
  const withResult = await c.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 3, result: 1 });
  t.equal(withResult.error?.code, -32600);
  t.equal(withResult.id, 3);
  // A notification of a served method is run and never answered; the next call still is.
  c.send({ jsonrpc: '2.0', method: 'agent.status' });
  const next = await c.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: null });
  t.equal(next.id, null);
  t.ok(next.result);
  t.same(Object.keys(next), ['jsonrpc', 'id', 'result'], 'members in the library\'s order');
});

t.test('agent.status never answers with stale figures', async (t) => {
  const a = await connect();
  const first = (await a.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 1 })).result!;
  const again = (await a.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 2 })).result!;
  t.same(again, first, 'nothing moved: the same answer');

  const b = await connect();
  const afterConnect = (await a.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 3 })).result!;
  t.equal((afterConnect.connections as { admin: number }).admin, (first.connections as { admin: number }).admin + 1, 'a new connection counts at once');

  clock.advance(1500);
  const later = (await b.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 4 })).result!;
  t.equal(later.uptimeSeconds, (first.uptimeSeconds as number) + 1.5, 'uptime moves with the clock');
  t.equal(later.startedAt, first.startedAt);

  const panel = await connect(d.daemon.config.rpc.panelSocket);
  const onPanel = (await panel.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 5 })).result!;
  t.notOk('sockets' in onPanel, 'the panel answer is its own, without socket paths');
  t.notOk('spool' in onPanel);
  const onAdmin = (await a.call<Answer>({ jsonrpc: '2.0', method: 'agent.status', id: 6 })).result!;
  t.ok(onAdmin.sockets && onAdmin.spool, 'while the admin answer keeps them');
});

t.test('a frozen result is redacted and serialized as JSON.stringify would', async (t) => {
  const raw = frozenResult({ name: 'x', token: 'hunter2', url: 'https://user:pw@example.com/a?sig=abc', nested: { list: [1, 'two'] } });
  t.ok(Object.isFrozen(raw.nested.list), 'frozen deeply');
  t.throws(() => { (raw.nested as { list: unknown }).list = []; });
  const safe = safeResult(raw) as Record<string, unknown>;
  t.equal(safeResult(raw), safe, 'redacted once');
  t.equal(safe.token, '***');
  t.notMatch(JSON.stringify(safe), /hunter2|pw@|abc/);
  for (const id of [1, 'a"b\\c', null, 1.5]) {
    const answer = { jsonrpc: '2.0' as const, id, result: safe };
    t.equal(answerJson(answer), JSON.stringify(answer), `same text for id ${JSON.stringify(id)}`);
  }
  const plain = { jsonrpc: '2.0' as const, id: 1, result: { token: 'x' } };
  t.equal(answerJson(plain), JSON.stringify(plain), 'other answers are stringified as they are');
});
