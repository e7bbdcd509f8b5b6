// Every method the admin socket serves has a named agentctl command (the generic `call` does not
// count). The method list is the protocol's; the command -> method map is the command table, which
// agentctl enforces at run time (a command calling a method it does not list fails).
import t from 'tap';
import { METHODS, METHOD_BY_NAME } from '../../src/protocol/index.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { agentctl } from '../helpers/agentctl.ts';

t.test('every admin-socket method is reachable from a named command', async (t) => {
  const reach = new Map<string, string[]>();
  for (const c of COMMANDS) {
    if (c.methods === 'any') continue;
    for (const m of c.methods) reach.set(m, [...(reach.get(m) ?? []), c.name]);
  }
  // The admin socket serves every descriptor (the panel socket only the tenant-scoped ones).
  const missing = METHODS.map((m) => m.name).filter((m) => !reach.has(m));
  t.same(missing, [], `methods with no command: ${missing.join(', ')}`);
  const unknown = [...reach.keys()].filter((m) => !METHOD_BY_NAME.has(m));
  t.same(unknown, [], 'every method a command lists exists');
  t.same(COMMANDS.filter((c) => c.methods === 'any').map((c) => c.name), ['call'], 'only call is generic');
});

t.test('the admin socket serves exactly the protocol\'s methods', async (t) => {
  const d = await startDaemon(t);
  const r = await agentctl(['--dev', d.dir, '--json', 'methods']);
  t.equal(r.status, 0, r.stderr);
  const served = (JSON.parse(r.stdout) as { methods: { name: string }[] }).methods.map((m) => m.name).sort();
  t.same(served, METHODS.map((m) => m.name).sort());
});

t.test('every command has usage and examples, and examples name their command', async (t) => {
  for (const c of COMMANDS) {
    const help = await agentctl(['help', c.name]);
    t.equal(help.status, 0, `help ${c.name}`);
    t.ok(c.examples.length > 0, `${c.name} has examples`);
    for (const e of c.examples) t.ok(e.startsWith(`agentctl ${c.name}`) || e.startsWith(`echo `), `${c.name} example: ${e}`);
    t.match(help.stdout, /^usage: agentctl /m);
    t.match(help.stdout, /^examples:$/m);
    t.same((await agentctl([c.name, '--help'])).stdout, help.stdout, `${c.name} --help is help ${c.name}`);
  }
});
