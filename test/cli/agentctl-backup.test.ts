import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { agentctl } from '../helpers/agentctl.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('agentctl account, backup --wait, snapshot list, download, limits reset', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const g = ['--dev', d.dir];
  const put = await agentctl([...g, 'account', 'put', 'shop', '--uid', String(tenant.uid), '--gid', String(tenant.gid), '--home', tenant.home, '--docroot', 'public_html', '--exclude', 'logs/*']);
  t.equal(put.status, 0, put.stderr);
  t.equal(put.stdout.trim(), 'account shop saved');
  const list = await agentctl([...g, 'account', 'list']);
  t.match(list.stdout, new RegExp(`^shop\\s+${tenant.uid}\\s+${tenant.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  const get = await agentctl([...g, '--json', 'account', 'get', 'shop']);
  t.same(JSON.parse(get.stdout).excludes, ['logs/*']);

  const backup = await agentctl([...g, 'backup', 'create', 'shop', '--wait', '--note', 'from the cli']);
  t.equal(backup.status, 0, backup.stderr);
  t.match(backup.stdout, /^status\s+succeeded$/m);
  const snapshotId = /^snapshot\s+(\w+)$/m.exec(backup.stdout)![1]!;
  const sha256 = /^sha256\s+([0-9a-f]{64})$/m.exec(backup.stdout)![1]!;
  const table = await agentctl([...g, 'snapshot', 'list', 'shop']);
  t.match(table.stdout, /^SNAPSHOT\s+CREATED\s+SCOPE\s+SIZE\s+FILES\s+TRIGGER\s+EXPIRES\s+NOTE$/m);
  t.match(table.stdout, new RegExp(`^${snapshotId}\\s+\\S+\\s+full\\s+[\\d.]+ \\w+\\s+\\d+\\s+admin\\s+never\\s+from the cli$`, 'm'));

  const file = path.join(sharedTempDir(t), 'shop.tar.gz');
  const dl = await agentctl([...g, 'download', snapshotId, '-o', file]);
  t.equal(dl.status, 0, dl.stderr);
  t.match(dl.stderr, /sha256 [0-9a-f]{64} verified/);
  t.equal(createHash('sha256').update(fs.readFileSync(file)).digest('hex'), sha256, 'downloaded file is the snapshot');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'the archive is written readable by its owner only');
  const again = await agentctl([...g, 'download', snapshotId, '-o', file]);
  t.equal(again.status, 1, 'an existing file is never overwritten');
  t.match(again.stderr, /shop\.tar\.gz exists; pass --force to overwrite it/);
  fs.writeFileSync(file, 'old', { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const forced = await agentctl([...g, 'download', snapshotId, '-o', file, '--force']);
  t.equal(forced.status, 0, forced.stderr);
  t.equal(createHash('sha256').update(fs.readFileSync(file)).digest('hex'), sha256, '--force replaces the file with the snapshot');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'an overwritten file is narrowed to 0600');

  const reset = await agentctl([...g, 'limits', 'reset', 'shop']);
  t.equal(reset.status, 0);
  t.match(reset.stdout, /cleared 0 tenant snapshot\(s\) from shop's window/);
  const usage = await agentctl([...g, 'backup', 'create']);
  t.equal(usage.status, 2);
  t.match(usage.stderr, /usage: agentctl backup create ACCOUNT/);
  const missing = await agentctl([...g, 'backup', 'create', 'nobody-here', '--wait']);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /AGENT_E_NOT_FOUND: account nobody-here not found/);
});
