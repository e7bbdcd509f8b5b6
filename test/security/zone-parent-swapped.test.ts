// The directory holding a DNS zone file in the tenant's home, swapped for a symlink to a
// directory only root can read that holds a file of the same name: a backup read by root would
// archive root's file. The zone is read as the account, walking fd-relative with O_NOFOLLOW from
// a root-owned anchor: the read fails instead, statically and when the swap races it in a loop.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startSwapRacer } from './swap-racer.ts';
import { SECRET, ZONE, checkRacedReads, readThroughSwap, readZoneOnce, tenantZone } from './tenant-zone.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read as them')) t.end();

t.test('a zone whose parent directory is swapped for a symlink is never read through it', async (t) => {
  const z = await tenantZone(t);
  const rootDir = path.join(z.parent, 'root-only');
  fs.mkdirSync(rootDir, { mode: 0o700 });
  fs.writeFileSync(path.join(rootDir, path.basename(z.file)), SECRET, { mode: 0o600 });
  t.same(await readZoneOnce(z), { data: ZONE }, 'unswapped, the zone is read as the account');

  t.same(await readThroughSwap(z, z.dir, rootDir), { code: 'AGENT_E_SOURCE_READ' }, 'the swapped parent is not followed');

  const racer = startSwapRacer(t, z.tenant, z.tenant.home, { dns: [rootDir] });
  await checkRacedReads(t, z);
  racer.stop();
});
