// A zone file kept in a tenant's home, and a secret only root can read, for the zone attacks.
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { makeTenant, sharedTempDir, type Tenant } from '../helpers/tenant.ts';
import { dnsEntries } from '../../src/sources/dns/index.ts';
import type { AgentError } from '../../src/errors/index.ts';
import { entryBytes } from '../sources/spy-tool.ts';

export const SECRET = 'root-only-secret-7f3a9c\n';
export const ZONE = `$ORIGIN example.com.
$TTL 3600
@   IN SOA ns1.example.com. hostmaster.example.com. ( 2026120701 7200 3600 1209600 3600 )
    IN NS  ns1.example.com.
ns1 IN A   192.0.2.1
`;

export interface TenantZone {
  tenant: Tenant;
  parent: string;
  /** The tenant's own directory holding the zone file. */
  dir: string;
  file: string;
}

export async function tenantZone(t: Test): Promise<TenantZone> {
  const parent = sharedTempDir(t);
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  const dir = path.join(tenant.home, 'dns');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'db.example.com');
  fs.writeFileSync(file, ZONE);
  for (const p of [dir, file]) fs.chownSync(p, tenant.uid, tenant.gid);
  return { tenant, parent, dir, file };
}

/** One backup read of the zone: its bytes, or the error's code. */
export async function readZoneOnce(z: TenantZone, file = z.file): Promise<{ data?: string; code?: string }> {
  try {
    for await (const e of dnsEntries([{ name: 'example.com', file }], { as: { uid: z.tenant.uid, gid: z.tenant.gid } })) {
      return { data: (await entryBytes(e.open)).toString('utf8') };
    }
    return {};
  } catch (err) {
    return { code: (err as AgentError).code };
  }
}

/** Swaps `at` (the zone file or its directory) for a tenant-owned link to `target`, reads once, and puts it back. */
export async function readThroughSwap(z: TenantZone, at: string, target: string): Promise<{ data?: string; code?: string }> {
  fs.renameSync(at, `${at}.real`);
  fs.symlinkSync(target, at);
  fs.lchownSync(at, z.tenant.uid, z.tenant.gid);
  try {
    return await readZoneOnce(z);
  } finally {
    fs.unlinkSync(at);
    fs.renameSync(`${at}.real`, at);
  }
}

/** 40 reads while a racer swaps links: the secret never comes out, and each read gives the zone or fails cleanly. */
export async function checkRacedReads(t: Test, z: TenantZone): Promise<void> {
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const r = await readZoneOnce(z);
    t.not(r.data, SECRET, 'the root-only file never comes out');
    seen.add(r.data === ZONE ? 'zone' : r.code ?? 'other');
  }
  t.ok([...seen].every((s) => s === 'zone' || s === 'AGENT_E_SOURCE_READ'), `each raced read gave the zone or failed: ${[...seen].join(', ')}`);
}
