// Zone files: checked with named-checkzone before they are written, then written to the zone
// file the account definition names (in place) or beside it (staging). Zone file paths come
// from the admin's account definition, never from the archive.
import fs from 'node:fs';
import path from 'node:path';
import { AgentError } from '../errors/index.ts';
import { runChild, summarizeStderr, hasProgram } from '../sources/common/index.ts';

export async function checkZone(zone: string, file: string, signal?: AbortSignal): Promise<void> {
  if (!hasProgram('named-checkzone')) throw new AgentError('AGENT_E_INTERNAL', 'named-checkzone (bind9-utils) is not installed; DNS zones cannot be validated');
  const r = await runChild({ command: 'named-checkzone', args: ['-q', '--', zone, file], signal });
  if (r.code !== 0) {
    const detail = (await runChild({ command: 'named-checkzone', args: ['--', zone, file], signal })).stdout.toString('utf8');
    throw new AgentError('AGENT_E_INVALID', `zone ${zone} from the archive does not validate: ${summarizeStderr(detail || r.stderr, [])}`, { data: { zone } });
  }
}

/** Writes the zone next to its destination first and renames it over, so a reader never sees half a zone. */
export function writeZone(content: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.hostagent-tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode: 0o644, flag: 'w' });
  fs.renameSync(tmp, target);
}
