// Archive file names, as DESIGN.md section 3 fixes them:
// {prefix}{account}_{kind}_{UTC yyyymmddThhmmssZ}_{snapshotId}.tar.gz (.tar.zst for zstd).
import { AgentError } from '../errors/index.ts';
import type { Compression } from './codec.ts';

export interface ArchiveNameParts {
  prefix?: string;
  account: string;
  kind: string;
  createdAt: Date | number | string;
  snapshotId: string;
  compression: Compression;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function archiveExtension(compression: Compression): string {
  return compression === 'zstd' ? '.tar.zst' : '.tar.gz';
}

/** yyyymmddThhmmssZ in UTC. */
export function compactUtc(at: Date | number | string): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new AgentError('AGENT_E_INVALID', 'createdAt is not a valid time', { data: { field: 'createdAt' } });
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export function archiveName(p: ArchiveNameParts): string {
  const prefix = p.prefix ?? '';
  for (const [field, value] of [['account', p.account], ['kind', p.kind], ['snapshotId', p.snapshotId]] as const) {
    if (!SAFE.test(value)) throw new AgentError('AGENT_E_INVALID', `${field} may only hold letters, digits, '.', '_' and '-'`, { data: { field } });
  }
  if (prefix !== '' && !SAFE.test(prefix)) {
    throw new AgentError('AGENT_E_INVALID', "prefix may only hold letters, digits, '.', '_' and '-'", { data: { field: 'prefix' } });
  }
  return `${prefix}${p.account}_${p.kind}_${compactUtc(p.createdAt)}_${p.snapshotId}${archiveExtension(p.compression)}`;
}
