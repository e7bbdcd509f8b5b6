import { OutcomeFailed, UsageError, type Command } from '../command.ts';

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'Re-read the configuration file, as SIGHUP does (a bad file is refused, the running one kept).',
  usage: 'agentctl reload',
  examples: ['agentctl reload'],
  methods: ['agent.reload'],
  async run(args, ctx) {
    if (args.length) throw new UsageError('reload takes no arguments');
    const r = await (await ctx.client()).call<{ ok: boolean; error?: string }>('agent.reload', {});
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : r.ok ? 'configuration reloaded' : 'configuration refused; the running one is kept');
    if (!r.ok) throw new OutcomeFailed(r.error ?? '');
  },
};
