import fs from 'node:fs';
import path from 'node:path';
import { AgentError } from '../errors/index.ts';
import { makeAjv, describeSchemaError } from '../core/schema.ts';
import { configSchema, type AgentConfig } from './schema.ts';

const validate = makeAjv({ useDefaults: true }).compile(configSchema);

/** Validates a parsed config object and fills in defaults. Throws AGENT_E_CONFIG naming the key. */
export function parseConfig(raw: unknown, source = 'config'): AgentConfig {
  const value = structuredClone(raw ?? {});
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentError('AGENT_E_CONFIG', `${source}: must be a JSON object`, { data: { field: '' } });
  }
  if (!validate(value)) {
    const { field, message } = describeSchemaError(validate.errors);
    throw new AgentError('AGENT_E_CONFIG', `${source}: ${field || '(root)'}: ${message}`, { data: { field } });
  }
  return value as AgentConfig;
}

export function readConfigFile(file: string): AgentConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentError('AGENT_E_CONFIG', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentError('AGENT_E_CONFIG', `${file}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(raw, file);
}

/** The config `hostagentd --dev DIR` uses: every path under DIR. */
export function devConfigDefaults(dir: string): Record<string, unknown> {
  const run = path.join(dir, 'run');
  return {
    paths: { database: path.join(dir, 'state', 'agent.db'), spool: path.join(dir, 'spool') },
    rpc: { adminSocket: path.join(run, 'admin.sock'), panelSocket: path.join(run, 'agent.sock'), panelGroup: null },
    download: { socket: path.join(run, 'download.sock') },
    metrics: { socket: path.join(run, 'metrics.sock') },
  };
}

/** Reads DIR/agent.json, writing the dev defaults first when it is missing. */
export function loadDevConfig(dir: string): { file: string; config: AgentConfig } {
  const file = path.join(dir, 'agent.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(devConfigDefaults(path.resolve(dir)), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  return { file, config: readConfigFile(file) };
}
