import path from 'node:path';
import { RpcClient, RpcCallError, RpcUnavailableError } from '../client/index.ts';
import { OutcomeFailed, UsageError, type CliContext } from './command.ts';
import { COMMANDS } from './commands/index.ts';

/** Exit codes: 0 ok, 1 the call failed, 2 usage, 69 (EX_UNAVAILABLE) daemon unavailable. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 69 } as const;

const DEFAULT_SOCKET = '/run/hostagent/admin.sock';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: agentctl [--socket PATH | --dev DIR] [--json] COMMAND [ARGS]',
    '',
    'options:',
    `  --socket PATH  daemon socket (default $HOSTAGENT_SOCKET or ${DEFAULT_SOCKET})`,
    '  --dev DIR      the admin socket of `hostagentd --dev DIR`',
    '  --json         print results as JSON',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 ok, 1 the call failed, 2 usage, 69 daemon unavailable',
  ].join('\n');
}

/** Splits global options (before the command) from the command's own arguments. */
function parseGlobal(argv: string[]): { socket: string; json: boolean; rest: string[]; help: boolean } {
  let socket = process.env.HOSTAGENT_SOCKET || DEFAULT_SOCKET;
  let json = false;
  let help = false;
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
    else rest.push(a);
  }
  return { socket, json, rest, help };
}

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
  let client: RpcClient | null = null;
  let commandUsage: string | null = null;
  try {
    const g = parseGlobal(argv);
    const [name, ...args] = g.rest;
    if (g.help || !name) {
      (name || g.help ? out : err)(usage());
      return name || g.help ? EXIT.ok : EXIT.usage;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command ${name}`);
    commandUsage = cmd.usage;
    const ctx: CliContext = {
      json: g.json,
      out,
      err,
      isTTY: Boolean(process.stdout.isTTY),
      client: async () => (client ??= await RpcClient.connect(g.socket)),
    };
    await cmd.run(args, ctx);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`agentctl: ${e.message}\n\n${commandUsage ? `usage: ${commandUsage}` : usage()}`);
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
