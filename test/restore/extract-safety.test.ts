// One crafted archive per way out of the target; a canary beside the target proves nothing
// escaped, and the warnings say what was refused.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { extractFiles } from '../../src/restore/extract-files.ts';
import { localArchive } from '../../src/archive/archive-source.ts';
import { verifyArchive } from '../../src/archive/index.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { IS_ROOT } from '../helpers/peer.ts';
import { craftArchive, type CraftedEntry } from './crafted-archive.ts';
import type { SourceWarning } from '../../src/core/index.ts';

async function restoreCrafted(t: Test, entries: CraftedEntry[]) {
  const tenant = await makeTenant(t, { profile: 'empty' });
  const work = sharedTempDir(t, 'hostagent-crafted-');
  const archive = path.join(work, 'crafted.tar.gz');
  craftArchive(archive, entries);
  await verifyArchive(archive); // a valid archive: the extractor is what is under test
  const outside = path.join(path.dirname(tenant.home), 'outside');
  fs.mkdirSync(outside, { mode: 0o777 });
  fs.chmodSync(outside, 0o777); // writable by the tenant: only the extractor's rules keep it out
  const canary = path.join(outside, 'canary');
  fs.writeFileSync(canary, 'canary');
  fs.chmodSync(canary, 0o666);
  const warnings: SourceWarning[] = [];
  const stats = await extractFiles({ source: localArchive([archive], 'gzip'), root: tenant.home, uid: tenant.uid, gid: tenant.gid, warn: (w) => warnings.push(w) });
  t.equal(fs.readFileSync(canary, 'utf8'), 'canary', 'the canary is untouched');
  t.same(fs.readdirSync(outside).sort(), ['canary'], 'nothing new appeared outside the target');
  return { tenant, outside, canary, warnings, stats, codes: warnings.map((w) => w.code) };
}

t.test('absolute paths and .. are refused', async (t) => {
  const r = await restoreCrafted(t, [
    { name: 'files/ok.txt', data: 'fine' },
    { name: 'files/../outside/escaped', data: 'x' },
    { name: 'files/a/../../outside/escaped2', data: 'x' },
    { name: '/tmp/abs-escape-hostagent', data: 'x' },
    { name: 'files//etc/passwd', data: 'x' },
  ]);
  t.equal(fs.readFileSync(path.join(r.tenant.home, 'ok.txt'), 'utf8'), 'fine');
  t.notOk(fs.existsSync('/tmp/abs-escape-hostagent'));
  t.ok(r.codes.filter((c) => c === 'RESTORE_UNSAFE_PATH').length >= 3, `refusals reported: ${r.codes}`);
});

t.test('a symlink followed by a write through it is refused', async (t) => {
  const outsideName = 'outside';
  const r = await restoreCrafted(t, [
    { name: 'files/link', type: 'symlink', link: `../${outsideName}` },
    { name: 'files/link/canary', data: 'overwritten' },
    { name: 'files/link/new', data: 'escaped' },
    { name: 'files/abs', type: 'symlink', link: '/tmp' },
    { name: 'files/abs/hostagent-through-abs', data: 'escaped' },
    { name: 'files/fl', type: 'symlink', link: `../${outsideName}/canary` },
    { name: 'files/fl', data: 'replaces the link, not its target' },
  ]);
  t.notOk(fs.existsSync('/tmp/hostagent-through-abs'));
  t.ok(r.codes.includes('RESTORE_THROUGH_SYMLINK'), `reported: ${r.codes}`);
  t.equal(fs.readFileSync(path.join(r.tenant.home, 'fl'), 'utf8'), 'replaces the link, not its target');
  t.ok(fs.lstatSync(path.join(r.tenant.home, 'fl')).isFile(), 'the link itself was replaced');
  t.equal(fs.readlinkSync(path.join(r.tenant.home, 'link')), '../outside', 'the symlink itself is restored as a link');
});

t.test('a symlink already in the target is never written through', async (t) => {
  const tenant = await makeTenant(t, { profile: 'empty' });
  const outside = path.join(path.dirname(tenant.home), 'outside2');
  fs.mkdirSync(outside, { mode: 0o777 });
  fs.chmodSync(outside, 0o777);
  fs.symlinkSync(outside, path.join(tenant.home, 'pre'));
  const archive = path.join(sharedTempDir(t), 'a.tar.gz');
  craftArchive(archive, [{ name: 'files/pre/evil', data: 'x' }]);
  const warnings: SourceWarning[] = [];
  await extractFiles({ source: localArchive([archive], 'gzip'), root: tenant.home, uid: tenant.uid, gid: tenant.gid, warn: (w) => warnings.push(w) });
  t.same(fs.readdirSync(outside), []);
  t.ok(warnings.some((w) => w.code === 'RESTORE_THROUGH_SYMLINK'));
});

t.test('hard links to outside the archive are refused', async (t) => {
  const r = await restoreCrafted(t, [
    { name: 'files/inside', data: 'mine' },
    { name: 'files/good-link', type: 'hardlink', link: 'files/inside' },
    { name: 'files/d1/deep/src', data: 'deep' },
    { name: 'files/d2/x/link', type: 'hardlink', link: 'files/d1/deep/src' },
    { name: 'files/evil', type: 'hardlink', link: '/etc/shadow' },
    { name: 'files/evil2', type: 'hardlink', link: 'files/../outside/canary' },
    { name: 'files/evil3', type: 'hardlink', link: 'files/never-restored' },
  ]);
  const home = r.tenant.home;
  t.equal(fs.statSync(path.join(home, 'good-link')).ino, fs.statSync(path.join(home, 'inside')).ino, 'links within the archive work');
  t.equal(fs.statSync(path.join(home, 'd2/x/link')).ino, fs.statSync(path.join(home, 'd1/deep/src')).ino, 'across directories too');
  for (const n of ['evil', 'evil2', 'evil3']) t.notOk(fs.existsSync(path.join(home, n)), `${n} not created`);
  t.equal(fs.statSync(r.canary).nlink, 1, 'the canary gained no link');
  t.equal(r.codes.filter((c) => c === 'RESTORE_HARDLINK_REFUSED').length, 3);
});

t.test('device nodes and FIFOs are refused; setuid/setgid stripped; ownership is the account', async (t) => {
  const r = await restoreCrafted(t, [
    { name: 'files/null', type: 'chardev' },
    { name: 'files/sda', type: 'blockdev' },
    { name: 'files/pipe', type: 'fifo' },
    { name: 'files/suid', mode: 0o4755, data: '#!/bin/sh\n' },
    { name: 'files/sgid-dir', type: 'dir', mode: 0o2775 },
  ]);
  const home = r.tenant.home;
  for (const n of ['null', 'sda', 'pipe']) t.notOk(fs.existsSync(path.join(home, n)), `${n} not created`);
  t.equal(r.codes.filter((c) => c === 'RESTORE_SPECIAL_FILE').length, 3);
  const suid = fs.statSync(path.join(home, 'suid'));
  t.equal(suid.mode & 0o7777, 0o755);
  t.equal(fs.statSync(path.join(home, 'sgid-dir')).mode & 0o7777, 0o775);
  t.equal(r.codes.filter((c) => c === 'RESTORE_SETID_STRIPPED').length, 2);
  if (IS_ROOT) {
    t.equal(suid.uid, r.tenant.uid, 'owned by the account, not by the archive (uid 0)');
    t.equal(suid.gid, r.tenant.gid);
  }
});

t.test('entries outside files/ are not written', async (t) => {
  const r = await restoreCrafted(t, [
    { name: 'etc/cron.d/evil', data: 'x' },
    { name: 'databases/x.sql', data: 'select 1;' },
    { name: 'files/kept', data: 'k' },
  ]);
  t.same(fs.readdirSync(r.tenant.home).sort(), ['kept']);
  t.ok(r.codes.includes('RESTORE_OUTSIDE_FILES'));
});
