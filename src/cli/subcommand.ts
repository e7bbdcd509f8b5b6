import type { CliContext, Command } from './command.ts';

/** One verb of a command (`package get`), with what it takes and the methods it calls. */
export interface Subcommand {
  name: string;
  /** What follows `agentctl COMMAND VERB`. */
  usage: string;
  methods: readonly string[];
  run(args: string[], ctx: CliContext): Promise<void>;
}

/** A command made of verbs: its usage, method table and dispatch all come from the list. */
export function commandOf(o: { name: string; summary: string; examples: readonly string[]; subcommands: readonly Subcommand[] }): Command {
  return {
    name: o.name,
    summary: o.summary,
    examples: o.examples,
    usage: o.subcommands.map((s) => `agentctl ${o.name} ${s.name}${s.usage ? ` ${s.usage}` : ''}`).join('\n'),
    methods: [...new Set(o.subcommands.flatMap((s) => s.methods))],
    subcommands: o.subcommands.map((s) => s.name),
    async run(args, ctx) {
      const [verb, ...rest] = args;
      // main has checked the verb against `subcommands`.
      await o.subcommands.find((s) => s.name === verb)!.run(rest, ctx);
    },
  };
}
