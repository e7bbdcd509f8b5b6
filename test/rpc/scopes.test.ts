import t from 'tap';
import { RpcCallError } from '../../src/client/index.ts';
import { METHODS } from '../../src/protocol/index.ts';
import { startDaemon } from '../helpers/daemon.ts';

interface Doc { openrpc: string; methods: { name: string; params: { name: string; schema: unknown }[]; 'x-scope': string }[] }

t.test('every method declares a scope', async (t) => {
  for (const m of METHODS) t.ok(m.scope === 'admin' || m.scope === 'tenant', m.name);
  t.ok(METHODS.some((m) => m.scope === 'admin'), 'there are admin methods to refuse');
});

t.test('the panel socket refuses admin methods and does not list them', async (t) => {
  const d = await startDaemon(t);
  const panel = await d.panel();
  const admin = await d.admin();
  const adminOnly = METHODS.filter((m) => m.scope === 'admin');
  for (const m of adminOnly) {
    const err = await panel.call(m.name).catch((e: unknown) => e);
    t.type(err, RpcCallError, m.name);
    t.equal((err as RpcCallError).agentCode, 'AGENT_E_FORBIDDEN', `${m.name} forbidden on the panel socket`);
    t.equal((err as RpcCallError).rpcCode, 1003);
  }
  const panelDoc = await panel.call<Doc>('rpc.discover');
  const adminDoc = await admin.call<Doc>('rpc.discover');
  t.equal(panelDoc.openrpc, '1.3.2');
  t.same(panelDoc.methods.map((m) => m.name).sort(), METHODS.filter((m) => m.scope === 'tenant').map((m) => m.name).sort());
  t.same(adminDoc.methods.map((m) => m.name).sort(), METHODS.map((m) => m.name).sort());
  t.ok(panelDoc.methods.every((m) => m['x-scope'] === 'tenant'));
  const unknown = await panel.call('no.such').catch((e: unknown) => e) as RpcCallError;
  t.equal(unknown.rpcCode, -32601, 'an unknown method is not found, not forbidden');
});

t.test('bad params get -32602 naming the field, from the same schema rpc.discover publishes', async (t) => {
  const d = await startDaemon(t);
  const admin = await d.admin();
  const err = await admin.call('agent.status', { verbose: true }).catch((e: unknown) => e) as RpcCallError;
  t.equal(err.rpcCode, -32602);
  t.same(err.data, { field: 'verbose', reason: 'is not a known key' });
  const doc = await admin.call<Doc>('rpc.discover');
  const status = doc.methods.find((m) => m.name === 'agent.status')!;
  t.same(status.params, [], 'agent.status takes no params, as validated');
});
