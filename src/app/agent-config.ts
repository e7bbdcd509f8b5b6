import { readConfigFile, type AgentConfig } from '../config/index.ts';
import { validateNotificationConfig } from './notifications.ts';

/**
 * The one validation of a configuration file: the schema, then what only the daemon's parts can
 * check (notification URLs). Start, SIGHUP and --check-config all go through it, so a file
 * --check-config accepts is one the daemon accepts.
 */
export function readAgentConfig(file: string): AgentConfig {
  const config = readConfigFile(file);
  validateNotificationConfig(config, file);
  return config;
}
