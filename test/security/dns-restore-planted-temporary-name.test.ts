// The DNS restore wrote `${target}.hostagent-tmp-${pid}` as root, with a flag that follows
// symlinks, in a directory the tenant may own. A tenant who plants that name as a symlink to a
// root-owned file has root write the zone into it, and the target then renamed into a link.
// Zones are now written as the account under a fresh O_EXCL|O_NOFOLLOW name: the root-owned
// file is never touched, whether the name is planted beforehand or planted and swapped in a
// loop during the restores.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startSwapRacer } from './swap-racer.ts';
import { tenantZone, ZONE } from './tenant-zone.ts';
import { writeZone } from '../../src/restore/dns.ts';
import type { AgentError } from '../../src/errors/index.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and restore as them')) t.end();

const RESTORED = ZONE.replace('192.0.2.1', '192.0.2.99');

t.test('a planted temporary name never redirects a DNS restore into a root-owned file', async (t) => {
  const z = await tenantZone(t);
  const as = { uid: z.tenant.uid, gid: z.tenant.gid };
  const rootFile = path.join(z.parent, 'root-file');
  fs.writeFileSync(rootFile, 'root file\n', { mode: 0o644 });
  const view = () => { const s = fs.lstatSync(rootFile); return `${s.uid}:${s.gid}:${(s.mode & 0o7777).toString(8)}:${fs.readFileSync(rootFile, 'utf8')}`; };
  const before = view();

  // The name the old writer used in this process, planted as the tenant.
  const planted = `${z.file}.hostagent-tmp-${process.pid}`;
  fs.symlinkSync(rootFile, planted);
  fs.lchownSync(planted, z.tenant.uid, z.tenant.gid);
  await writeZone(Buffer.from(RESTORED), z.file, { as });
  t.equal(view(), before, 'the root-owned file is untouched');
  t.ok(fs.lstatSync(z.file).isFile(), 'the zone is a regular file, not a link');
  t.equal(fs.readFileSync(z.file, 'utf8'), RESTORED, 'the zone was restored');
  t.equal(fs.lstatSync(z.file).uid, z.tenant.uid, 'written as the account');
  fs.unlinkSync(planted);

  // Raced: the planted name flips between a file of the tenant's and links to the root file.
  fs.writeFileSync(planted, 'tenant\n');
  fs.chownSync(planted, z.tenant.uid, z.tenant.gid);
  const racer = startSwapRacer(t, z.tenant, z.dir, { [path.basename(planted)]: [rootFile] });
  const outcomes = new Set<string>();
  for (let i = 0; i < 40; i++) {
    try {
      await writeZone(Buffer.from(i % 2 ? RESTORED : ZONE), z.file, { as });
      outcomes.add('written');
    } catch (err) {
      outcomes.add((err as AgentError).code);
    }
    t.equal(view(), before, 'the root-owned file is untouched');
  }
  racer.stop();
  t.same([...outcomes], ['written'], 'every raced restore wrote the zone');
  t.ok(fs.lstatSync(z.file).isFile(), 'the zone is still a regular file');
});
