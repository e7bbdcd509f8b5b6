import pino, { type Logger, type DestinationStream } from 'pino';
import { redact, redactText } from '../core/redact.ts';

export type { Logger };

/**
 * JSON logs on stdout for journald. Every object and message passes the one redactor, so a
 * password in a config error or a token in a notification URL never reaches the journal.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(obj),
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
  }, destination ?? pino.destination({ fd: 1, sync: false }));
}
