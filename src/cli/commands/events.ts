import { UsageError, type Command } from '../command.ts';
import { intArg, parseCommandArgs } from '../args.ts';
import { EVENT_TYPES } from '../../protocol/methods/events.ts';

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Print the daemon\'s events as they happen, one JSON object a line.',
  usage: `agentctl events [--type ${EVENT_TYPES.join('|')}]... [--account NAME] [--count N]   (until interrupted, or N events)`,
  examples: [
    'agentctl events --type restore.pending            # tenant restores to approve, as they are asked for',
    'agentctl events --account shop --count 1',
  ],
  methods: ['events.subscribe', 'events.unsubscribe'],
  async run(args, ctx) {
    const { values: o, positionals } = parseCommandArgs(args, { type: { type: 'string', multiple: true }, account: { type: 'string' }, count: { type: 'string' } });
    if (positionals.length) throw new UsageError('events takes no operands');
    for (const t of o.type ?? []) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be one of ${EVENT_TYPES.join(', ')} (got ${t})`);
    const count = intArg(o.count, '--count');
    if (count === 0) throw new UsageError('--count must be at least 1');
    const client = await ctx.client();
    let seen = 0;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => { stop = r; });
    const off = client.onNotification((method, params) => {
      if (count !== undefined && seen >= count) return;
      seen++;
      ctx.out(JSON.stringify({ event: method, ...(params as Record<string, unknown>) }));
      if (count !== undefined && seen >= count) stop();
    });
    const onSignal = () => stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const { subscriptionId } = await client.call<{ subscriptionId: string }>('events.subscribe', {
        ...(o.type?.length ? { types: [...new Set(o.type)] } : {}), ...(o.account ? { account: o.account } : {}),
      });
      // On stderr, so stdout stays one event a line: scripts start what they watch once this shows.
      ctx.err(`listening (subscription ${subscriptionId})`);
      await stopped;
      await client.call('events.unsubscribe', { subscriptionId });
    } finally {
      off();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
