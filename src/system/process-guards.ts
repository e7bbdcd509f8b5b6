import type { Logger } from 'pino';

/**
 * Keeps one stray fault from ending the daemon: an unhandled rejection or an uncaught exception
 * is logged (to `log()`, or to stderr before the logger exists) and the process goes on serving.
 * Every connection guards its own work; this is the net under whatever escapes that.
 */
export function installProcessGuards(log: () => Logger | null): void {
  const report = (kind: string, err: unknown) => {
    const logger = log();
    if (logger) logger.error({ err }, `${kind}; the daemon keeps running`);
    else process.stderr.write(`hostagentd: ${kind}: ${err instanceof Error ? err.stack : String(err)}\n`);
  };
  process.on('unhandledRejection', (reason) => report('unhandled rejection', reason));
  process.on('uncaughtException', (err) => report('uncaught exception', err));
}
