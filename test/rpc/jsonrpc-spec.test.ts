// Replays every example of the JSON-RPC 2.0 specification (section 7) over a real Unix socket
// against our RPC stack (RpcServer + Dispatcher), with the spec's example methods declared as
// ordinary method descriptors. Each pretty-printed example is sent as one line, as our framing
// requires; the answers must be exactly the specified ones, apart from the `data` member the
// spec leaves free and the order within a batch answer, which the spec allows to vary.
import path from 'node:path';
import t, { type Test } from 'tap';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { defineMethod, EmptyParams } from '../../src/protocol/index.ts';
import { socketLimits } from '../../src/app/socket-limits.ts';
import { parseConfig } from '../../src/config/index.ts';
import { Dispatcher, RpcServer, type RegisteredMethod } from '../../src/rpc/index.ts';
import { tempDir } from '../helpers/daemon.ts';
import { LineSocket } from './line-socket.ts';

const Numbers = Type.Array(Type.Number());

/** What the notification handlers were called with: a notification runs, it just gets no answer. */
const notified: { method: string; params: unknown }[] = [];

const methods: RegisteredMethod[] = [
  {
    descriptor: defineMethod({
      name: 'subtract', scope: 'admin', summary: 'minuend - subtrahend',
      params: Type.Object({ minuend: Type.Number(), subtrahend: Type.Number() }, { additionalProperties: false }),
      positional: ['minuend', 'subtrahend'],
      result: Type.Number(), errors: [],
    }),
    handler: (p) => (p.minuend as number) - (p.subtrahend as number),
  },
  {
    descriptor: defineMethod({
      name: 'sum', scope: 'admin', summary: 'the sum of its params',
      params: Type.Object({ values: Numbers }, { additionalProperties: false }),
      positional: ['...values'],
      result: Type.Number(), errors: [],
    }),
    handler: (p) => (p.values as number[]).reduce((a, b) => a + b, 0),
  },
  {
    descriptor: defineMethod({
      name: 'notify_hello', scope: 'admin', summary: 'a notification target',
      params: Type.Object({ value: Type.Number() }, { additionalProperties: false }),
      positional: ['value'],
      result: Type.Null(), errors: [],
    }),
    handler: (p) => { notified.push({ method: 'notify_hello', params: p }); return null; },
  },
  {
    descriptor: defineMethod({
      name: 'notify_sum', scope: 'admin', summary: 'a notification target',
      params: Type.Object({ values: Numbers }, { additionalProperties: false }),
      positional: ['...values'],
      result: Type.Null(), errors: [],
    }),
    handler: (p) => { notified.push({ method: 'notify_sum', params: p }); return null; },
  },
  {
    descriptor: defineMethod({
      name: 'update', scope: 'admin', summary: 'a notification target',
      params: Type.Object({ values: Numbers }, { additionalProperties: false }),
      positional: ['...values'],
      result: Type.Null(), errors: [],
    }),
    handler: (p) => { notified.push({ method: 'update', params: p }); return null; },
  },
  {
    descriptor: defineMethod({
      name: 'get_data', scope: 'admin', summary: 'fixed data',
      params: EmptyParams, result: Type.Array(Type.Unknown()), errors: [],
    }),
    handler: () => ['hello', 5],
  },
];

type Answer = Record<string, unknown> & { error?: Record<string, unknown> };

/** The answer as the spec writes it: an error's free `data` member is left out. */
function specShape(answer: Answer): Answer {
  if (!answer.error) return answer;
  const { code, message } = answer.error;
  return { ...answer, error: { code, message } };
}

function byId(a: Answer, b: Answer): number {
  return JSON.stringify(a.id) < JSON.stringify(b.id) ? -1 : JSON.stringify(a.id) > JSON.stringify(b.id) ? 1 : 0;
}

/** The spec's multi-line examples, joined into one frame. */
function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).join('');
}

const dir = tempDir(t, 'hostagent-spec-');
const sockPath = path.join(dir, 'spec.sock');
const log = pino({ level: 'silent' });
const server = new RpcServer('admin', { path: sockPath, mode: '0600', group: null },
  new Dispatcher('admin', methods, (err) => t.fail(`handler fault: ${String(err)}`)),
  { ...socketLimits(parseConfig({}).rpc), maxLineBytes: 64 * 1024, maxInFlight: 32, maxConnections: 16, maxEventBacklogBytes: 1024 * 1024 }, log);
await server.listen();
t.teardown(() => {
  server.stopListening();
  server.closeConnections();
});

const conn = await LineSocket.connect(sockPath);
t.teardown(() => conn.destroy());

/** Sends one frame and checks the single answer line against the spec's. */
async function expectAnswer(t: Test, frame: string, expected: unknown): Promise<void> {
  conn.send(frame);
  const got = JSON.parse(await conn.nextLine()) as Answer | Answer[];
  if (Array.isArray(expected)) {
    t.ok(Array.isArray(got), 'a batch answer is an array');
    const list = (Array.isArray(got) ? got : [got]).map(specShape).sort(byId);
    t.same(list, [...(expected as Answer[])].sort(byId), 'the specified batch answer (any order)');
    t.equal(list.length, expected.length, 'exactly one answer per request');
  } else {
    t.strictSame(Array.isArray(got) ? got : specShape(got), expected, 'the specified answer');
  }
}

/** Sends a frame that deserves no answer, then a probe whose answer must be the very next line. */
async function expectSilence(t: Test, frame: string): Promise<void> {
  conn.send(frame);
  const probe = { jsonrpc: '2.0', method: 'get_data', id: 'probe-after-silence' };
  conn.send(probe);
  const next = JSON.parse(await conn.nextLine()) as Answer;
  t.strictSame(next, { jsonrpc: '2.0', id: 'probe-after-silence', result: ['hello', 5] }, 'the next line answers the probe: nothing was sent for the notification');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(conn.pending, 0, 'and nothing arrives later either');
}

t.test('rpc call with positional parameters', async (t) => {
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}', { jsonrpc: '2.0', result: 19, id: 1 });
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}', { jsonrpc: '2.0', result: -19, id: 2 });
});

t.test('rpc call with named parameters', async (t) => {
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}', { jsonrpc: '2.0', result: 19, id: 3 });
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}', { jsonrpc: '2.0', result: 19, id: 4 });
});

t.test('a notification', async (t) => {
  notified.length = 0;
  await expectSilence(t, '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}');
  t.strictSame(notified, [{ method: 'update', params: { values: [1, 2, 3, 4, 5] } }], 'the notification ran');
  await expectSilence(t, '{"jsonrpc": "2.0", "method": "foobar"}');
});

t.test('rpc call of non-existent method', async (t) => {
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' });
});

t.test('rpc call with invalid JSON', async (t) => {
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
});

t.test('rpc call with invalid Request object', async (t) => {
  await expectAnswer(t, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null });
});

t.test('rpc call Batch, invalid JSON', async (t) => {
  await expectAnswer(t, oneLine(`[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
});

t.test('rpc call with an empty Array', async (t) => {
  await expectAnswer(t, '[]', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null });
});

t.test('rpc call with an invalid Batch (but not empty)', async (t) => {
  await expectAnswer(t, '[1]', [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }]);
});

t.test('rpc call with invalid Batch', async (t) => {
  const invalid = { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
  await expectAnswer(t, '[1,2,3]', [invalid, invalid, invalid]);
});

t.test('rpc call Batch', async (t) => {
  notified.length = 0;
  await expectAnswer(t, oneLine(`[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`), [
    { jsonrpc: '2.0', result: 7, id: '1' },
    { jsonrpc: '2.0', result: 19, id: '2' },
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
    { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
  ]);
  t.strictSame(notified, [{ method: 'notify_hello', params: { value: 7 } }], 'the notification inside the batch ran');
});

t.test('rpc call Batch (all notifications)', async (t) => {
  notified.length = 0;
  await expectSilence(t, oneLine(`[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`));
  t.same(notified, [{ method: 'notify_sum', params: { values: [1, 2, 4] } }, { method: 'notify_hello', params: { value: 7 } }], 'both notifications ran');
});

t.test('positional params beyond the declared names are refused with -32602', async (t) => {
  const got = await conn.call<Answer>({ jsonrpc: '2.0', method: 'subtract', params: [1, 2, 3], id: 'extra' });
  t.equal(got.error?.code, -32602);
  t.equal(got.id, 'extra');
  const missing = await conn.call<Answer>({ jsonrpc: '2.0', method: 'subtract', params: [1], id: 'short' });
  t.equal(missing.error?.code, -32602, 'a missing positional param is caught by the schema');
  t.match(missing.error?.data, { field: 'subtrahend' }, 'and named by the name it maps to');
});
