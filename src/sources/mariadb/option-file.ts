// The [client] option file both mariadb-dump and mariadb read through --defaults-extra-file,
// so the password never appears in argv or the environment.
import { AgentError } from '../../errors/index.ts';
import type { MariadbConfig } from '../../config/sections/databases.ts';

/** Option-file value syntax: double quotes with backslash escapes. */
function quote(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

export function mariadbOptionFile(config: MariadbConfig): string {
  const lines: string[] = [];
  if (config.defaultsFile) {
    if (/[\r\n]/.test(config.defaultsFile)) throw new AgentError('AGENT_E_CONFIG', 'databases.mariadb.defaultsFile: must be a single line', { data: { field: 'databases.mariadb.defaultsFile' } });
    lines.push(`!include ${config.defaultsFile}`);
  }
  lines.push('[client]');
  if (config.user !== null) lines.push(`user=${quote(config.user)}`);
  if (config.password !== null) lines.push(`password=${quote(config.password)}`);
  if (config.host !== null) {
    lines.push(`host=${quote(config.host)}`, `port=${config.port}`, 'protocol=TCP');
  } else if (config.socket !== null) {
    lines.push(`socket=${quote(config.socket)}`);
  }
  return lines.join('\n') + '\n';
}
