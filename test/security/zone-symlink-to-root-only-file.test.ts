// A DNS zone file kept in the tenant's home, swapped for a symlink to a file only root can read
// (/etc/shadow, say): a backup read by root would put that file into the tenant's own download.
// The zone is read as the account and no symlink is followed: the backup of the zone fails
// instead, statically and when the swap races the read again and again.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startSwapRacer } from './swap-racer.ts';
import { SECRET, ZONE, checkRacedReads, readThroughSwap, readZoneOnce, tenantZone } from './tenant-zone.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read as them')) t.end();

t.test('a zone file swapped for a symlink to a root-only file is never read through it', async (t) => {
  const z = await tenantZone(t);
  const secret = path.join(z.parent, 'shadow');
  fs.writeFileSync(secret, SECRET, { mode: 0o600 });
  t.same(await readZoneOnce(z), { data: ZONE }, 'unswapped, the zone is read as the account');

  t.same(await readThroughSwap(z, z.file, secret), { code: 'AGENT_E_SOURCE_READ' }, 'the link is not followed');

  const racer = startSwapRacer(t, z.tenant, z.dir, { 'db.example.com': [secret] });
  await checkRacedReads(t, z);
  racer.stop();
  t.equal(fs.readFileSync(secret, 'utf8'), SECRET);
});
