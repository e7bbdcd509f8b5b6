// One meaning of `files` for one snapshot: backup.estimate, snapshot.list and snapshot.verify
// report the regular files of the home directory the archive holds (excludes and the .ssh rule
// applied, hard links included), as GNU tar counts them; snapshot.verify's `entries` also
// counts the zone, manifest and checksums.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant, run } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('estimate, list and verify count the same files, and tar agrees', async (t) => {
  const tenant = await makeTenant(t);
  // Beyond the sample tree (.ssh with private keys, a symlink to /etc/passwd): a hard link and an excluded directory.
  fs.writeFileSync(path.join(tenant.home, 'hard-a.txt'), 'same inode\n');
  fs.linkSync(path.join(tenant.home, 'hard-a.txt'), path.join(tenant.home, 'hard-b.txt'));
  fs.mkdirSync(path.join(tenant.home, 'cache'));
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(tenant.home, 'cache', `c${i}.tmp`), 'x');
  await run('chown', ['-hR', `${tenant.uid}:${tenant.gid}`, tenant.home]);
  const zone = path.join(tempDir(t), 'db.shop.test');
  fs.writeFileSync(zone, '$ORIGIN shop.test.\n$TTL 300\n@ IN SOA ns1 admin 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n');

  const d = await startDaemon(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, excludes: ['cache'], zones: [{ name: 'shop.test', file: zone }] });

  const estimate = await c.call<{ files: number }>('backup.estimate', { account: 'shop', scope: 'hosting' });
  const { snapshot } = await backupAndWait(c, { account: 'shop', scope: 'hosting' });
  const listed = (await c.call<{ snapshots: { snapshotId: string; files: number }[] }>('snapshot.list', { account: 'shop' })).snapshots.find((s) => s.snapshotId === snapshot.snapshotId)!;
  const verified = await c.call<{ ok: boolean; files: number; entries: number }>('snapshot.verify', { snapshotId: snapshot.snapshotId });

  // GNU tar's own listing: regular files ('-') and hard links ('h') under files/.
  const listing = (await run('tar', ['-tvzf', snapshot.path!], { maxBuffer: 64 << 20 })).stdout.split('\n').filter(Boolean);
  const member = (l: string) => l.split(/\s+/).slice(5).join(' ');
  const tarFiles = listing.filter((l) => /^[-h]/.test(l) && member(l).startsWith('files/')).length;
  const tarRegular = listing.filter((l) => l.startsWith('-')).length;

  t.ok(tarFiles > 5, `the archive holds ${tarFiles} home files`);
  t.ok(listing.some((l) => l.startsWith('h') && member(l).startsWith('files/hard-')), 'a hard link is among them');
  t.notOk(listing.some((l) => member(l).startsWith('files/cache')), 'the excluded directory is absent');
  t.same({ estimate: estimate.files, list: listed.files, get: snapshot.files, verify: verified.files }, { estimate: tarFiles, list: tarFiles, get: tarFiles, verify: tarFiles }, 'every method reports the same files');
  t.equal(verified.entries, tarRegular, 'entries: every regular member, the zone, manifest and SHA256SUMS included');
  t.ok(verified.entries > verified.files, 'entries count more than the home files');
});
