// A DNS zone file kept in the tenant's home, swapped for a symlink to a file only root can read
// (/etc/shadow, say): a backup read by root would put that file into the tenant's own download.
// The zone is read as the account and no symlink is followed: the backup of the zone fails
// instead, statically and when the swap races the read again and again.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startSwapRacer } from './swap-racer.ts';
import { SECRET, ZONE, readZoneOnce, tenantZone } from './tenant-zone.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read as them')) t.end();

t.test('a zone file swapped for a symlink to a root-only file is never read through it', async (t) => {
  const z = await tenantZone(t);
  const secret = path.join(z.parent, 'shadow');
  fs.writeFileSync(secret, SECRET, { mode: 0o600 });
  t.same(await readZoneOnce(z), { data: ZONE }, 'unswapped, the zone is read as the account');

  fs.renameSync(z.file, `${z.file}.real`);
  fs.symlinkSync(secret, z.file);
  fs.lchownSync(z.file, z.tenant.uid, z.tenant.gid);
  t.same(await readZoneOnce(z), { code: 'AGENT_E_SOURCE_READ' }, 'the link is not followed');
  fs.unlinkSync(z.file);
  fs.renameSync(`${z.file}.real`, z.file);

  const racer = startSwapRacer(t, z.tenant, z.dir, { 'db.example.com': [secret] });
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const r = await readZoneOnce(z);
    t.not(r.data, SECRET, 'the root-only file never comes out');
    seen.add(r.data === ZONE ? 'zone' : r.code ?? 'other');
  }
  racer.stop();
  t.ok([...seen].every((s) => s === 'zone' || s === 'AGENT_E_SOURCE_READ'), `each raced read gave the zone or failed: ${[...seen].join(', ')}`);
  t.equal(fs.readFileSync(secret, 'utf8'), SECRET);
});
