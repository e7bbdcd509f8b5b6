import { UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { renderTable } from '../table.ts';

interface OpenRpcDoc {
  methods: { name: string; summary: string; 'x-scope'?: string; params: { name: string; required: boolean }[] }[];
}

export const methodsCommand: Command = {
  name: 'methods',
  summary: 'List the methods the socket serves (from rpc.discover).',
  usage: 'agentctl methods',
  examples: ['agentctl methods', 'agentctl methods --json      # the whole OpenRPC document'],
  methods: ['rpc.discover'],
  async run(args, ctx) {
    if (parseCommandArgs(args, {}).positionals.length) throw new UsageError('methods takes no arguments');
    const doc = await (await ctx.client()).call<OpenRpcDoc>('rpc.discover');
    if (ctx.json) return ctx.out(JSON.stringify(doc, null, 2));
    ctx.out(renderTable(
      [{ key: 'name', title: 'method' }, { key: 'scope', title: 'scope' }, { key: 'params', title: 'params' }, { key: 'summary', title: 'summary' }],
      doc.methods.map((m) => ({ name: m.name, scope: m['x-scope'] ?? '', params: m.params.map((p) => (p.required ? p.name : `[${p.name}]`)).join(' '), summary: m.summary })),
    ));
  },
};
