import { AgentError } from '../errors/index.ts';

/** A settings combination the schema cannot express, e.g. neither password nor key. */
export function invalidSetting(type: string, field: string, message: string): AgentError {
  return new AgentError('AGENT_E_INVALID', `${type} destination: ${field} ${message}`, { data: { field } });
}
