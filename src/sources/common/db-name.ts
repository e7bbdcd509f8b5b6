import { AgentError } from '../../errors/index.ts';

// Database names end up in archive paths (databases/<db>.sql) and in argv; this charset keeps
// both safe: no path separators, no leading '-' that a tool could read as an option, no quoting.
const SAFE_DB_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$/;

export function assertDatabaseName(name: string, field = 'database'): void {
  if (!SAFE_DB_NAME.test(name)) {
    throw new AgentError('AGENT_E_INVALID', `${field}: "${name.slice(0, 80)}" is not a supported database name (letters, digits, _ $ -, at most 64, not starting with - or $)`, { data: { field } });
  }
}
