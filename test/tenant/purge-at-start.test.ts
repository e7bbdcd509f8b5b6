import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';

t.test('the purge sweep runs at start: spool files no snapshot knows are removed, scratch and foreign dirs are not', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const spool = path.join(dir, 'spool');
  fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
  const orphan = path.join(spool, 'shop_account_full_20260101T000000Z_0123456789abcdef0123.tar.gz');
  const partial = path.join(spool, 'shop_account_full_20260101T000000Z_fedcba98765432100000.tar.gz.partial');
  fs.writeFileSync(orphan, 'left behind');
  fs.writeFileSync(partial, 'half');
  fs.mkdirSync(path.join(spool, 'lost+found'));
  const d = await startDaemon(t, { dir });
  t.notOk(fs.existsSync(orphan), 'orphaned archive removed at start');
  t.notOk(fs.existsSync(partial), 'orphaned partial removed at start');
  t.ok(fs.existsSync(path.join(spool, 'lost+found')), 'directories are never swept');
  t.ok(d.daemon.config.purge.sweepIntervalMinutes === 60, 'and hourly after that by default');
});
