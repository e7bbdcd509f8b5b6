import t from 'tap';
import { startDaemon } from '../helpers/daemon.ts';
import { agentctl } from '../helpers/agentctl.ts';

t.test('agentctl against a running daemon', async (t) => {
  const d = await startDaemon(t);
  const sock = d.daemon.config.rpc.adminSocket;

  const status = await agentctl(['--socket', sock, 'status']);
  t.equal(status.status, 0);
  t.match(status.stdout, /^version\s+\d+\.\d+\.\d+/m);
  t.match(status.stdout, /^queue\s+0 running, 0 queued \(limit 2\)/m);

  const json = await agentctl(['--dev', d.dir, '--json', 'status']);
  t.equal(json.status, 0);
  t.equal(JSON.parse(json.stdout).pid, process.pid, '--json prints the raw result; --dev finds the socket');

  const methods = await agentctl(['--socket', sock, 'methods']);
  t.equal(methods.status, 0);
  t.match(methods.stdout, /^METHOD\s+SCOPE\s+PARAMS\s+SUMMARY/m);
  t.match(methods.stdout, /^agent\.reload\s+admin/m);

  const call = await agentctl(['--socket', sock, 'call', 'agent.status', '{}']);
  t.equal(call.status, 0);
  t.equal(JSON.parse(call.stdout).pid, process.pid);
  const stdin = await agentctl(['--socket', sock, 'call', 'agent.status', '-'], '{}');
  t.equal(stdin.status, 0, 'params from stdin');

  const bad = await agentctl(['--socket', sock, 'call', 'agent.status', '{"x":1}']);
  t.equal(bad.status, 1, 'a failed call exits 1');
  t.match(bad.stderr, /JSON-RPC -32602: Invalid params \(field: x: is not a known key\)/);

  const forbidden = await agentctl(['--socket', d.daemon.config.rpc.panelSocket, 'call', 'agent.reload']);
  t.equal(forbidden.status, 1);
  t.match(forbidden.stderr, /^agentctl: AGENT_E_FORBIDDEN: /, 'errors print the AGENT_E_* code');
});

t.test('agentctl usage and unavailable daemon', async (t) => {
  t.equal((await agentctl([])).status, 2);
  t.equal((await agentctl(['frobnicate'])).status, 2);
  t.equal((await agentctl(['call'])).status, 2);
  t.equal((await agentctl(['--socket', '/nonexistent/x.sock', 'call', 'agent.status', 'not json'])).status, 2, 'bad JSON is a usage error');
  const down = await agentctl(['--socket', '/nonexistent/x.sock', 'status']);
  t.equal(down.status, 69);
  t.match(down.stderr, /daemon unavailable/);
  const help = await agentctl(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /exit codes: 0 ok, 1 the call failed, 2 usage, 69 daemon unavailable/);
});
