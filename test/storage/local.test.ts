import t from 'tap';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDestination, openDestination } from '../../src/storage/index.ts';
import { runDestinationSuite } from './suite.ts';

t.test('local directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hat-local-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
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
});
