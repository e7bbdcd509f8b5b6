import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';
import { curlDownload } from '../helpers/curl.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

t.test('a split archive downloads as one file, whole, by ranges across part boundaries, and completes', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(c, { account: 'shop', splitSize: 2048 });
  t.ok(snapshot.parts.length > 3, `${snapshot.parts.length} parts`);
  const events: string[] = [];
  c.onNotification((m) => events.push(m));
  await c.call('events.subscribe', { types: ['download.completed'] });
  const link = await c.call<{ path: string }>('download.create', { snapshotId: snapshot.snapshotId, session: 'split-session-01' });
  const sock = d.daemon.config.download.socket;
  const dir = sharedTempDir(t);
  const whole = path.join(dir, 'whole.tar.gz');
  const r = await curlDownload(sock, link.path, { session: 'split-session-01', out: whole });
  t.equal(r.status, 200);
  t.equal(sha(whole), snapshot.sha256, 'the parts concatenate into the recorded archive');
  t.match(r.headers['content-disposition'], /\.tar\.gz"$/, 'named without .partNNN');
  await t.resolves(waitFor(() => (events.includes('download.completed') ? true : undefined), 30000, 'download.completed'));
  // A range that starts in one part and ends in the next.
  const boundary = 2048 * 1024;
  const piece = path.join(dir, 'piece');
  const p = await curlDownload(sock, link.path, { session: 'split-session-01', out: piece, extra: ['-r', `${boundary - 100}-${boundary + 99}`] });
  t.equal(p.status, 206);
  t.same(fs.readFileSync(piece), fs.readFileSync(whole).subarray(boundary - 100, boundary + 100), 'bytes across a part boundary');
});
