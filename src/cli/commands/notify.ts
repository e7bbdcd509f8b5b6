import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { renderTable } from '../table.ts';

export const notifyCommand: Command = {
  name: 'notify',
  summary: 'Test a notification URL, or show recent deliveries.',
  usage: 'agentctl notify test URL [--dry-run]\nagentctl notify history [--limit N]',
  examples: ["agentctl notify test 'discord://token@id' --dry-run", "agentctl notify test 'ntfy://ntfy.sh/backups'", 'agentctl notify history --limit 20'],
  methods: ['notify.test', 'notify.history'],
  subcommands: ['test', 'history'],
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const { values: o, positionals } = parseCommandArgs(rest, { 'dry-run': { type: 'boolean' }, limit: { type: 'string' } });
    const client = await ctx.client();
    if (sub === 'test') {
      const [url] = positionals;
      if (!url || positionals.length !== 1) throw new UsageError('notify test takes URL');
      const r = await client.call<{ ok?: boolean; error?: string }>('notify.test', { url, dryRun: Boolean(o['dry-run']) });
      ctx.out(JSON.stringify(r, null, 2));
      if (r.ok === false) throw new OutcomeFailed('');
      return;
    }
    if (sub === 'history') {
      const r = await client.call<{ deliveries: Record<string, unknown>[] }>('notify.history', o.limit ? { limit: Number(o.limit) } : {});
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      return ctx.out(renderTable([{ key: 'at', title: 'at' }, { key: 'service', title: 'service' }, { key: 'ok', title: 'ok' }, { key: 'attempt', title: 'try', align: 'right' }, { key: 'status', title: 'status' }, { key: 'url', title: 'url' }, { key: 'error', title: 'error' }], r.deliveries));
    }
    throw new UsageError(`notify: unknown subcommand ${sub ?? '(none)'}`);
  },
};
