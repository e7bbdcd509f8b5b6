// A local destination through the daemon: destination.put refuses a directory that is missing
// (a typo, an unmounted disk) unless create is true, and destination.test reports one that
// disappeared after it was configured, without creating it.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir } from '../helpers/daemon.ts';

interface Probe { ok: boolean; code?: string; steps: { step: string; ok: boolean; error?: { code: string; message: string } }[] }

t.test('destination.put and destination.test refuse a missing local directory', async (t) => {
  const d = await startDaemon(t);
  const c = await d.admin();
  const base = tempDir(t, 'hostagent-dest-');
  const missing = path.join(base, 'typo', 'backups');

  await t.rejects(c.call('destination.put', { name: 'here', type: 'local', directory: missing }),
    { message: new RegExp(`${missing} does not exist`), data: { code: 'AGENT_E_INVALID', field: 'directory' } });
  t.notOk(fs.existsSync(path.join(base, 'typo')), 'destination.put created nothing');
  t.same((await c.call<{ destinations: unknown[] }>('destination.list', {})).destinations, [], 'and stored nothing');

  await c.call('destination.put', { name: 'here', type: 'local', directory: missing, create: true });
  t.ok(fs.statSync(missing).isDirectory(), 'create: true makes the directory');
  t.match(await c.call<Probe>('destination.test', { name: 'here' }), { ok: true });

  // The disk goes away: the probe fails at its first step and nothing is recreated.
  await c.call('destination.put', { name: 'there', type: 'local', directory: base });
  fs.rmSync(base, { recursive: true });
  const probe = await c.call<Probe>('destination.test', { name: 'there' });
  t.match(probe, { ok: false, code: 'AGENT_E_DEST_NOT_FOUND', steps: [{ step: 'put', ok: false, error: { message: /does not exist/ } }] });
  t.notOk(fs.existsSync(base), 'destination.test created nothing');

  const plain = tempDir(t, 'hostagent-dest-');
  await t.rejects(c.call('destination.put', { name: 'mnt', type: 'local', directory: plain, requireMountpoint: true }),
    { message: /is not a mount point/, data: { code: 'AGENT_E_INVALID', field: 'directory' } });
});
