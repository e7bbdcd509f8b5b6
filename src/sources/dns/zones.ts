// The account's DNS zones as `dns/<zone>.zone`. Zone file paths come from the admin's account
// definition (never from the tenant), so root reads them directly.
import fs from 'node:fs/promises';
import { AgentError } from '../../errors/index.ts';
import type { ArchiveEntry } from '../../core/archive-part.ts';
import { bufferEntry } from '../common/index.ts';

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

async function readZone(zone: ZoneRef, name: string): Promise<ArchiveEntry> {
  const fail = (why: string, cause?: unknown) =>
    new AgentError('AGENT_E_SOURCE_READ', `DNS zone "${name}": cannot read ${zone.file}: ${why}`, { data: { zone: name, file: zone.file }, cause });
  let fh;
  try {
    fh = await fs.open(zone.file, 'r');
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code ?? String(err), err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail('not a regular file');
    if (st.size > MAX_ZONE_BYTES) throw fail(`larger than ${MAX_ZONE_BYTES} bytes`);
    // Read once into memory: the size in the tar header and the data then always agree.
    const data = await fh.readFile();
    return bufferEntry(`dns/${name}.zone`, data, st.mtime, 0o644);
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw fail((err as NodeJS.ErrnoException).code ?? String(err), err);
  } finally {
    await fh.close();
  }
}

/** Yields one entry per zone; a missing or unreadable file is AGENT_E_SOURCE_READ naming it. */
export async function* dnsEntries(zones: ZoneRef[]): AsyncIterable<ArchiveEntry> {
  const names = zones.map((z) => zoneArchiveName(z.name));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new AgentError('AGENT_E_INVALID', `zones: "${dup}" is listed twice`, { data: { field: 'zones' } });
  for (let i = 0; i < zones.length; i++) yield await readZone(zones[i]!, names[i]!);
}
