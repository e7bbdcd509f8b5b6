// Zone files: checked with named-checkzone before they are written, then written to the zone
// file the account definition names (in place) or beside it (staging). Zone file paths come
// from the admin's account definition, never from the archive; but the tenant may be able to
// write a directory on the way, and then the zone is written as the account (tenant-file.ts).
import { AgentError } from '../errors/index.ts';
import { runChild, summarizeStderr, hasProgram, writeTenantFile, type TenantFileOptions } from '../sources/common/index.ts';

export async function checkZone(zone: string, file: string, signal?: AbortSignal): Promise<void> {
  if (!hasProgram('named-checkzone')) throw new AgentError('AGENT_E_INTERNAL', 'named-checkzone (bind9-utils) is not installed; DNS zones cannot be validated');
  const r = await runChild({ command: 'named-checkzone', args: ['-q', '--', zone, file], signal });
  if (r.code !== 0) {
    const detail = (await runChild({ command: 'named-checkzone', args: ['--', zone, file], signal })).stdout.toString('utf8');
    throw new AgentError('AGENT_E_INVALID', `zone ${zone} from the archive does not validate: ${summarizeStderr(detail || r.stderr, [])}`, { data: { zone } });
  }
}

/**
 * Writes the zone under a fresh O_EXCL|O_NOFOLLOW name beside its destination and renames it
 * over, so a reader never sees half a zone and a name planted there is never written through.
 */
export async function writeZone(content: Buffer, target: string, o: TenantFileOptions): Promise<void> {
  try {
    await writeTenantFile(target, content, 0o644, o);
  } catch (err) {
    if (o.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `writing zone file ${target}: cancelled`);
    const why = (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link on the way (not followed)' : (err as Error).message;
    throw new AgentError('AGENT_E_RESTORE_UNSAFE', `zone file ${target} was not written: ${why}`, { data: { file: target }, cause: err });
  }
}
