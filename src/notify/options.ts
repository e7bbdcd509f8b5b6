// Send options as the `notifications` config section sets them, shared by the notifier and notify.test.
import fs from 'node:fs';
import { AgentError } from '../errors/index.ts';
import type { NotificationsConfig } from '../config/sections/notifications.ts';
import type { SendOptions } from './send.ts';

/** Retry policy, timeout and extra CAs from config; an unreadable caFile is AGENT_E_CONFIG naming the key. */
export function sendOptionsFromConfig(config: NotificationsConfig): SendOptions {
  const options: SendOptions = {
    policy: { attempts: config.retry.attempts, baseDelayMs: config.retry.baseDelayMs },
    timeoutMs: config.timeoutMs,
  };
  if (config.caFile) {
    try {
      options.ca = fs.readFileSync(config.caFile);
    } catch (err) {
      throw new AgentError('AGENT_E_CONFIG', `notifications.caFile: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { data: { field: 'notifications.caFile' }, cause: err });
    }
  }
  return options;
}
