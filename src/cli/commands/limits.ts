import { UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';

export const limitsCommand: Command = {
  name: 'limits',
  summary: 'Reset an account\'s tenant snapshot window.',
  usage: 'agentctl limits reset ACCOUNT',
  examples: ['agentctl limits reset shop'],
  methods: ['limits.reset'],
  subcommands: ['reset'],
  async run(args, ctx) {
    const [sub, account, ...extra] = parseCommandArgs(args, {}).positionals;
    if (sub !== 'reset' || !account || extra.length) throw new UsageError('limits reset takes ACCOUNT');
    const r = await (await ctx.client()).call<{ cleared: number }>('limits.reset', { account });
    ctx.out(ctx.json ? JSON.stringify(r) : `cleared ${r.cleared} tenant snapshot(s) from ${account}'s window`);
  },
};
