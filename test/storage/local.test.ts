import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDestination, openDestination } from '../../src/storage/index.ts';
import { isMountPoint } from '../../src/storage/local/mount-point.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { runDestinationSuite } from './suite.ts';

t.test('local directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hat-local-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['backups', 'b2', 'b3']) mkdirSync(join(dir, d));
  await runDestinationSuite(t, () => createDestination({ name: 'local', type: 'local', settings: { directory: join(dir, 'backups') } }));

  await t.test('a broken upload leaves no file, partial or not', async (t) => {
    const dest = await createDestination({ name: 'local', type: 'local', settings: { directory: join(dir, 'b2') } });
    await t.rejects(dest.put('x.bin', Readable.from((async function* () { yield Buffer.alloc(10); throw new Error('boom'); })())));
    t.same(readdirSync(join(dir, 'b2')), []);
  });

  await t.test('a directory that cannot be written is AGENT_E_DEST_PERMISSION', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false }, async (t) => {
    const dest = await createDestination({ name: 'local', type: 'local', settings: { directory: '/proc/hostagent' } });
    await t.rejects(dest.put('x', Readable.from([Buffer.from('x')])), { code: 'AGENT_E_DEST_PERMISSION' });
  });

  await t.test('openDestination verifies and retries', async (t) => {
    const dest = await openDestination({ name: 'local', type: 'local', settings: { directory: join(dir, 'b3') } }, { attempts: 3, baseDelayMs: 10 });
    let opened = 0;
    const put = await dest.putFrom('a/b.bin', () => { opened++; return Readable.from([Buffer.alloc(4096, 9)]); }, { size: 4096 });
    t.equal(put.size, 4096);
    t.equal(opened, 1);
    // A verification failure is worth another try with a fresh body; here every try is short.
    opened = 0;
    await t.rejects(dest.putFrom('a/c.bin', () => { opened++; return Readable.from([Buffer.alloc(10)]); }, { size: 11 }),
      { code: 'AGENT_E_DEST_UNAVAILABLE', data: { lastCode: 'AGENT_E_DEST_INTEGRITY', attempts: 3 } });
    t.equal(opened, 3, 'the body was opened once per attempt');
    t.same((await dest.list()).map((o) => o.name), ['a/b.bin'], 'the object that failed verification is gone');
  });

  await t.test('settings are validated', async (t) => {
    await t.rejects(createDestination({ name: 'l', type: 'local', settings: { directory: 'relative' } }), { code: 'AGENT_E_INVALID', data: { field: 'directory' } });
    await t.rejects(createDestination({ name: 'l', type: 'local', settings: { directory: '/x', extra: 1 } }), { code: 'AGENT_E_INVALID', data: { field: 'extra' } });
    await t.rejects(createDestination({ name: 'l', type: 'nfs', settings: {} }), { code: 'AGENT_E_INVALID', data: { field: 'type' } });
  });

  await t.test('a missing directory is refused, never created, unless create is true', async (t) => {
    const missing = join(dir, 'not-mounted', 'backups');
    const dest = await createDestination({ name: 'local', type: 'local', settings: { directory: missing } });
    await t.rejects(dest.put('x.bin', Readable.from([Buffer.from('x')])), { code: 'AGENT_E_DEST_NOT_FOUND', message: new RegExp(`${missing} does not exist`), data: { field: 'directory' } });
    await t.rejects(dest.checkTarget!(), { code: 'AGENT_E_DEST_NOT_FOUND' });
    t.notOk(existsSync(join(dir, 'not-mounted')), 'nothing was created');

    const creating = await createDestination({ name: 'local', type: 'local', settings: { directory: missing, create: true } });
    await creating.put('x.bin', Readable.from([Buffer.from('x')]));
    t.same(readdirSync(missing), ['x.bin']);
    t.equal(statSync(missing).mode & 0o777, 0o700, 'created private');
  });

  await t.test('a file where the directory should be is refused', async (t) => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const dest = await createDestination({ name: 'local', type: 'local', settings: { directory: file, create: true } });
    await t.rejects(dest.put('x.bin', Readable.from([Buffer.from('x')])), { code: 'AGENT_E_DEST_NOT_FOUND', message: /is not a directory/ });
  });

  await t.test('requireMountpoint refuses a plain directory and accepts a mounted filesystem', async (t) => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    const refused = await createDestination({ name: 'local', type: 'local', settings: { directory: plain, requireMountpoint: true } });
    await t.rejects(refused.put('x.bin', Readable.from([Buffer.from('x')])), { code: 'AGENT_E_DEST_NOT_FOUND', message: /is not a mount point/ });
    t.same(readdirSync(plain), [], 'nothing written to the parent filesystem');
    t.ok(await isMountPoint('/'), '/ is a mount point');
    t.ok(await isMountPoint('/proc'), '/proc is a mount point');
    t.notOk(await isMountPoint(plain));

    if (!requirePeer(t, 'root (mount -t tmpfs)', IS_ROOT, 'mounting needs root')) return;
    const mnt = join(dir, 'disk');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    t.teardown(() => { execFileSync('umount', [mnt]); });
    t.ok(await isMountPoint(mnt), 'the tmpfs is a mount point');
    const mounted = await createDestination({ name: 'local', type: 'local', settings: { directory: mnt, requireMountpoint: true } });
    const put = await mounted.put('x.bin', Readable.from([Buffer.from('xyz')]));
    t.equal(put.size, 3);
    t.same(readdirSync(mnt), ['x.bin']);
  });
});
