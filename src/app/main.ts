import { parseArgs } from 'node:util';
import { isAgentError } from '../errors/index.ts';
import { VERSION } from '../system/version.ts';
import { installProcessGuards } from '../system/process-guards.ts';
import { readAgentConfig } from './agent-config.ts';
import { Daemon } from './daemon.ts';

const USAGE = `usage: hostagentd [--config FILE | --dev DIR] [--check-config] [--version]
  --config FILE   configuration (default /etc/hostagent/agent.json)
  --dev DIR       run unprivileged with every path under DIR (DIR/agent.json is written when missing)
  --check-config  validate the configuration and exit (0 valid, 78 invalid)`;

/** sysexits(3): EX_USAGE, EX_CONFIG, EX_CANTCREAT. */
const EXIT = { usage: 64, config: 78, conflict: 73, failure: 1 } as const;

export async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { config: { type: 'string' }, dev: { type: 'string' }, 'check-config': { type: 'boolean' }, version: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    process.stderr.write(`hostagentd: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(EXIT.usage);
  }
  if (args.help) return void process.stdout.write(`${USAGE}\n`);
  if (args.version) return void process.stdout.write(`hostagentd ${VERSION}\n`);
  if (args.config && args.dev) {
    process.stderr.write(`hostagentd: --config and --dev exclude each other\n`);
    process.exit(EXIT.usage);
  }
  try {
    if (args['check-config']) {
      readAgentConfig(args.config ?? '/etc/hostagent/agent.json');
      process.stdout.write('config ok\n');
      return;
    }
    // Handlers go in before start, which sends READY=1: a SIGTERM right after READY (a quick
    // `systemctl start` then `stop`) must stop cleanly, not kill by default action. A stop asked
    // for during start runs once start has finished.
    let daemon: Daemon | null = null;
    let stopRequested = false;
    const stop = (d: Daemon) => {
      d.stop().then(() => process.exit(0), (err) => {
        process.stderr.write(`hostagentd: stop failed: ${(err as Error).message}\n`);
        process.exit(EXIT.failure);
      });
    };
    const shutdown = () => {
      if (stopRequested) return;
      stopRequested = true;
      if (daemon) stop(daemon);
    };
    installProcessGuards(() => daemon?.log ?? null);
    process.on('SIGHUP', () => daemon?.reload());
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    daemon = await Daemon.start({ devDir: args.dev, configFile: args.config });
    if (stopRequested) stop(daemon);
  } catch (err) {
    const code = isAgentError(err) ? err.code : null;
    process.stderr.write(`hostagentd: ${(err as Error).message}\n`);
    process.exit(code === 'AGENT_E_CONFIG' || code === 'AGENT_E_STATE_TOO_NEW' ? EXIT.config : code === 'AGENT_E_CONFLICT' ? EXIT.conflict : EXIT.failure);
  }
}
