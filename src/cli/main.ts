import path from 'node:path';
import { RpcClient, RpcCallError, RpcUnavailableError } from '../client/index.ts';
import { OutcomeFailed, UsageError, type CliContext, type Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { VERSION } from '../system/version.ts';

/** Exit codes: 0 ok, 1 the call failed, 2 usage, 69 (EX_UNAVAILABLE) daemon unavailable. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 69 } as const;

const DEFAULT_SOCKET = '/run/hostagent/admin.sock';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: agentctl [--socket PATH | --dev DIR] [--json] COMMAND [ARGS]',
    '       agentctl help COMMAND      (or COMMAND --help: its usage and examples)',
    '',
    'options:',
    `  --socket PATH  daemon socket (default $HOSTAGENT_SOCKET or ${DEFAULT_SOCKET})`,
    '  --dev DIR      the admin socket of `hostagentd --dev DIR`',
    '  --json         print results as JSON',
    '  --version      print the client\'s version',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 ok, 1 the call failed, 2 usage, 69 daemon unavailable',
  ].join('\n');
}

/** Splits global options (before the command) from the command's own arguments. */
function parseGlobal(argv: string[]): { socket: string; json: boolean; rest: string[]; help: boolean; version: boolean } {
  let socket = process.env.HOSTAGENT_SOCKET || DEFAULT_SOCKET;
  let json = false;
  let help = false;
  let version = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--socket') socket = value();
    else if (a.startsWith('--socket=')) socket = a.slice(9);
    else if (a === '--dev') socket = path.join(value(), 'run', 'admin.sock');
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--version' && rest.length === 0) version = true;
    else rest.push(a);
  }
  return { socket, json, rest, help, version };
}

function usageLines(cmd: Command): string {
  return cmd.usage.split('\n').map((l, i) => `${i ? '       ' : 'usage: '}${l}`).join('\n');
}

/** `agentctl help CMD` and `agentctl CMD --help`: the command's usage, then examples that work as written. */
export function commandHelp(cmd: Command): string {
  return [`${cmd.summary}`, '', usageLines(cmd), '', 'examples:', ...cmd.examples.map((e) => `  ${e}`), '',
    'global options (--socket PATH, --dev DIR, --json) go anywhere; exit codes: 0 ok, 1 the call failed, 2 usage, 69 daemon unavailable'].join('\n');
}

/** The first argument of a command with verbs must name one, or be its operand (restore SNAPSHOT). */
function checkSubcommand(cmd: Command, first: string | undefined): void {
  if (!cmd.subcommands) return;
  const list = cmd.subcommands.join(', ');
  const operand = cmd.positionalFirst ? `${cmd.positionalFirst} or ` : '';
  if (first === undefined) throw new UsageError(`${cmd.name} needs ${operand}a subcommand: ${list}`);
  if (cmd.subcommands.includes(first) || (cmd.positionalFirst && !first.startsWith('-'))) return;
  if (first.startsWith('-')) throw new UsageError(`${cmd.name}: ${first} before ${operand}a subcommand (${list})`);
  throw new UsageError(`${cmd.name}: unknown subcommand ${first}; subcommands: ${list}`);
}

/**
 * The client a command gets: it refuses methods missing from the command's table, so the table
 * that proves every method has a command cannot drift from what the commands call.
 */
function tableBoundClient(client: RpcClient, cmd: Command): RpcClient {
  if (cmd.methods === 'any') return client;
  const allowed = new Set(cmd.methods);
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'call') {
        return (method: string, params?: Record<string, unknown>) => {
          if (!allowed.has(method)) throw new Error(`internal: agentctl ${cmd.name} calls ${method}, which its method table does not list`);
          return target.call(method, params);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
  let client: RpcClient | null = null;
  let current: Command | null = null;
  try {
    const g = parseGlobal(argv);
    let [name, ...args] = g.rest;
    let help = g.help;
    if (g.version && !name) {
      out(`agentctl ${VERSION}`);
      return EXIT.ok;
    }
    if (name === 'help') {
      help = true;
      [name, ...args] = args;
      if (args.length) throw new UsageError('help takes one COMMAND');
    }
    if (!name) {
      (help ? out : err)(usage());
      return help ? EXIT.ok : EXIT.usage;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command ${name}`);
    current = cmd;
    if (help) {
      out(commandHelp(cmd));
      return EXIT.ok;
    }
    checkSubcommand(cmd, args[0]);
    const ctx: CliContext = {
      json: g.json,
      out,
      err,
      isTTY: Boolean(process.stdout.isTTY),
      client: async () => tableBoundClient((client ??= await RpcClient.connect(g.socket)), cmd),
    };
    await cmd.run(args, ctx);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`agentctl: ${e.message}\n\n${current ? `${usageLines(current)}\n\nexamples: agentctl help ${current.name}` : usage()}`);
      return EXIT.usage;
    }
    if (e instanceof OutcomeFailed) {
      if (e.message) err(`agentctl: ${e.message}`);
      return EXIT.failed;
    }
    if (e instanceof RpcUnavailableError) {
      err(`agentctl: daemon unavailable: ${e.message}`);
      return EXIT.unavailable;
    }
    if (e instanceof RpcCallError) {
      const detail = e.data?.field !== undefined ? ` (field: ${String(e.data.field) || '(root)'}${e.data.reason ? `: ${String(e.data.reason)}` : ''})` : '';
      err(`agentctl: ${e.agentCode ?? `JSON-RPC ${e.rpcCode}`}: ${e.message}${detail}`);
      return EXIT.failed;
    }
    err(`agentctl: ${(e as Error).message}`);
    return EXIT.failed;
  } finally {
    (client as RpcClient | null)?.close();
  }
}
