// get/list/delete-style verbs made from a method descriptor: the operand is the method's one key
// param, list flags are its params, and the usage says both, so they cannot drift from the daemon.
import { METHOD_BY_NAME } from '../protocol/index.ts';
import { UsageError, type CliContext } from './command.ts';
import { choiceArg, intArg, parseCommandArgs } from './args.ts';
import { renderRecord, renderTable, type Column } from './table.ts';
import type { Subcommand } from './subcommand.ts';

interface ParamSchema { type?: string; enum?: string[] }

function paramsOf(method: string): Record<string, ParamSchema> {
  const d = METHOD_BY_NAME.get(method);
  if (!d) throw new Error(`no method ${method}`);
  const props = (d.params as { properties?: Record<string, ParamSchema> }).properties ?? {};
  return Object.fromEntries(Object.entries(props).filter(([k]) => k !== 'actor'));
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const print = (ctx: CliContext, r: unknown, human: () => string) => ctx.out(ctx.json ? JSON.stringify(r, null, 2) : human());

/**
 * `NOUN VERB OPERAND` for a method whose params are one key (name, id, jobId); the verb is the
 * method's own (`job.cancel` → `job cancel JOB`).
 */
export function keyedSubcommand(method: string, operand: string, render: (r: Record<string, unknown>, key: string) => string = (r) => renderRecord(r)): Subcommand {
  const keys = Object.keys(paramsOf(method));
  if (keys.length !== 1) throw new Error(`${method} does not take a single key`);
  const [noun, verb] = method.split('.') as [string, string];
  return {
    name: verb,
    usage: operand,
    methods: [method],
    async run(args, ctx) {
      const { positionals } = parseCommandArgs(args, {});
      if (positionals.length !== 1) throw new UsageError(`${noun} ${verb} takes ${operand}`);
      const r = await (await ctx.client()).call<Record<string, unknown>>(method, { [keys[0]!]: positionals[0] });
      print(ctx, r, () => render(r, positionals[0]!));
    },
  };
}

/** `NOUN delete KEY`, printing what went. */
export function deleteSubcommand(method: string, operand: string): Subcommand {
  const noun = method.split('.')[0]!;
  return keyedSubcommand(method, operand, (_r, key) => `${noun} ${key} deleted`);
}

/** `NOUN list [--param VALUE ...]`: every param of the method is a flag; enums and integers are checked here. */
export function listSubcommand(method: string, o: { field: string; columns: Column[]; rows?: (r: Record<string, unknown>) => Record<string, unknown>; empty: string }): Subcommand {
  const params = paramsOf(method);
  const flags = Object.fromEntries(Object.keys(params).map((k) => [kebab(k), { type: 'string' as const }]));
  const usage = Object.entries(params).map(([k, s]) => `[--${kebab(k)} ${s.enum ? s.enum.join('|') : s.type === 'integer' ? 'N' : k.toUpperCase()}]`).join(' ');
  return {
    name: method.split('.')[1]!,
    usage,
    methods: [method],
    async run(args, ctx) {
      const { values, positionals } = parseCommandArgs(args, flags);
      if (positionals.length) throw new UsageError(`${method.replace('.', ' ')} takes no operands (${usage || 'and no flags'})`);
      const call: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(params)) {
        const v = (values as Record<string, string | undefined>)[kebab(k)];
        if (v === undefined) continue;
        call[k] = s.type === 'integer' ? intArg(v, `--${kebab(k)}`) : s.enum ? choiceArg(v, method, k, `--${kebab(k)}`) : v;
      }
      const r = await (await ctx.client()).call<Record<string, unknown>>(method, call);
      const items = r[o.field] as Record<string, unknown>[];
      print(ctx, r, () => (items.length ? renderTable(o.columns, items.map(o.rows ?? ((x) => x))) : o.empty));
    },
  };
}
