// The account's DNS zones as `dns/<zone>.zone`. The paths come from the admin's account
// definition, but a zone file may lie where the tenant can write (its home, say): then the
// tenant decides what the path means, and the file is read as the account, never following a
// symlink (tenant-file.ts). Root reads it itself only when root alone decides the whole path.
import { AgentError } from '../../errors/index.ts';
import type { ArchiveEntry } from '../../core/archive-part.ts';
import { bufferEntry, readTenantFile, type AccountIdentity, type ChildPriority } from '../common/index.ts';

export interface ZoneRef {
  /** Zone name, e.g. `example.com` (a trailing dot is allowed); IDN zones in their xn-- form. */
  name: string;
  /** Absolute path of the zone file in master-file format. */
  file: string;
}

const ZONE_NAME = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const MAX_ZONE_BYTES = 64 * 1024 * 1024;

/** The zone name as used in the archive path: lower case, no trailing dot. */
export function zoneArchiveName(name: string): string {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!ZONE_NAME.test(n)) throw new AgentError('AGENT_E_INVALID', `zones: "${name.slice(0, 100)}" is not a valid zone name`, { data: { field: 'zones' } });
  return n;
}

export interface ZoneReadOptions {
  /** The account the zones belong to: a zone file in a place it can write is read as it. */
  as: AccountIdentity;
  priority?: ChildPriority;
  signal?: AbortSignal;
}

async function readZone(zone: ZoneRef, name: string, o: ZoneReadOptions): Promise<ArchiveEntry> {
  try {
    // Read once into memory: the size in the tar header and the data then always agree.
    const { data, mtime } = await readTenantFile(zone.file, MAX_ZONE_BYTES, o);
    return bufferEntry(`dns/${name}.zone`, data, mtime, 0o644);
  } catch (err) {
    if (o.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', `DNS zone "${name}": cancelled`);
    const why = (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link on the way (not followed)' : (err as Error).message;
    throw new AgentError('AGENT_E_SOURCE_READ', `DNS zone "${name}": cannot read ${zone.file}: ${why}`, { data: { zone: name, file: zone.file }, cause: err });
  }
}

/** Yields one entry per zone; a missing or unreadable file is AGENT_E_SOURCE_READ naming it. */
export async function* dnsEntries(zones: ZoneRef[], o: ZoneReadOptions): AsyncIterable<ArchiveEntry> {
  const names = zones.map((z) => zoneArchiveName(z.name));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new AgentError('AGENT_E_INVALID', `zones: "${dup}" is listed twice`, { data: { field: 'zones' } });
  for (let i = 0; i < zones.length; i++) yield await readZone(zones[i]!, names[i]!, o);
}
