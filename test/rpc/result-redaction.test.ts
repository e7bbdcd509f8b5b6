// The dispatcher only copies a result for redaction when it could hold a secret (the hot path
// skips the copy). Both paths, over a real socket: secrets never leave, plain results arrive whole.
import path from 'node:path';
import t from 'tap';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { defineMethod, EmptyParams } from '../../src/protocol/index.ts';
import { socketLimits } from '../../src/app/socket-limits.ts';
import { parseConfig } from '../../src/config/index.ts';
import { Dispatcher, RpcServer, type RegisteredMethod } from '../../src/rpc/index.ts';
import { needsRedaction, redact } from '../../src/core/index.ts';
import { tempDir } from '../helpers/daemon.ts';
import { LineSocket } from './line-socket.ts';

const results: Record<string, unknown> = {
  secrets: {
    ok: 'plain',
    list: [{ password: 'hunter2' }, { sshPassphrase: 'open-sesame' }, { note: 'see https://bob:s3cret@example.com/x?token=abc&page=2' }],
    nested: { deeper: { apiKey: 'AKIA123', size: 3 } },
  },
  plain: { version: '1.2.3', counts: [1, 2, 3], nested: { path: '/var/lib/hostagent', empty: '', none: null, yes: true, passive: true } },
  url: { link: 'https://example.com/download' },
  shared: sharedTwice(),
  cyclic: cyclicWithSecret(),
};

/** One object referenced from two places: not a cycle, so both places carry it (redacted). */
function sharedTwice(): unknown {
  const credentials = { user: 'bob', password: 'hunter2' };
  return { primary: credentials, fallback: credentials };
}

function cyclicWithSecret(): unknown {
  const node: Record<string, unknown> = { name: 'loop', token: 'tok-123' };
  node.self = node;
  return node;
}

const methods: RegisteredMethod[] = Object.entries(results).map(([name, value]) => ({
  descriptor: defineMethod({ name: `test.${name}`, scope: 'admin', summary: name, params: EmptyParams, result: Type.Unknown(), errors: [] }),
  handler: () => value,
}));

const dir = tempDir(t, 'hostagent-redaction-');
const server = new RpcServer('admin', { path: path.join(dir, 'r.sock'), mode: '0600', group: null },
  new Dispatcher('admin', methods, (err) => t.fail(String(err))),
  { ...socketLimits(parseConfig({}).rpc), maxLineBytes: 64 * 1024, maxInFlight: 16, maxConnections: 4, maxEventBacklogBytes: 1024 * 1024 }, pino({ level: 'silent' }));
await server.listen();
t.teardown(() => { server.stopListening(); server.closeConnections(); });
const c = await LineSocket.connect(server.spec.path);
t.teardown(() => c.destroy());

t.test('a result holding secrets is redacted on the wire', async (t) => {
  t.ok(needsRedaction(results.secrets));
  const a = await c.call<{ result: unknown }>({ jsonrpc: '2.0', method: 'test.secrets', id: 1 });
  const text = JSON.stringify(a.result);
  for (const secret of ['hunter2', 'open-sesame', 's3cret', 'abc', 'AKIA123']) t.notOk(text.includes(secret), `${secret} does not leave`);
  t.same(a.result, redact(results.secrets), 'exactly what redact() makes of it');
  t.match(a.result, { ok: 'plain', nested: { deeper: { size: 3 } } }, 'the rest is intact');
});

t.test('a plain result is sent as it is, and redact() would not have changed it (FTP\'s passive is no password)', async (t) => {
  t.notOk(needsRedaction(results.plain));
  t.same(redact(results.plain), results.plain, 'the shortcut agrees with redact()');
  const a = await c.call<{ result: unknown }>({ jsonrpc: '2.0', method: 'test.plain', id: 2 });
  t.same(a.result, results.plain);
});

t.test('a URL without credentials takes the careful path and survives it', async (t) => {
  t.ok(needsRedaction(results.url), 'any URL is checked');
  const a = await c.call<{ result: unknown }>({ jsonrpc: '2.0', method: 'test.url', id: 3 });
  t.same(a.result, results.url);
});

t.test('a shared object is redacted at each place, not cut as a cycle', async (t) => {
  const a = await c.call<{ result: unknown }>({ jsonrpc: '2.0', method: 'test.shared', id: 4 });
  t.same(a.result, { primary: { user: 'bob', password: '***' }, fallback: { user: 'bob', password: '***' } });
});

t.test('a real cycle is cut where it closes, and its secret still hidden', async (t) => {
  const a = await c.call<{ result: unknown }>({ jsonrpc: '2.0', method: 'test.cyclic', id: 5 });
  t.same(a.result, { name: 'loop', token: '***', self: '[cycle]' });
});

t.test('cycles and errors are left to redact()', async (t) => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  t.ok(needsRedaction(cyclic));
  t.ok(needsRedaction({ e: new Error('x') }));
});
