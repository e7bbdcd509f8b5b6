// download.completed must not depend on how soon the daemon's threadpool gets round to closing the
// archive file: a client such as curl has every byte and closes its connection at once, and the
// completion must still be recorded and announced. The threadpool is kept busy on purpose here,
// as other jobs (hashing, compression, other downloads) keep it busy on a real host.
import t from 'tap';
import path from 'node:path';
import { pbkdf2 } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';
import { curlDownload } from '../helpers/curl.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

/** Keeps every threadpool thread of this process busy with short jobs until stopped. */
function busyThreadpool(threads: number): () => void {
  let running = true;
  const spin = () => { if (running) pbkdf2('x', 'y', 20_000, 32, 'sha256', spin); };
  for (let i = 0; i < threads; i++) spin();
  return () => { running = false; };
}

t.test('a download a client read whole and closed at once is completed, on a busy threadpool', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t, { profile: 'small' });
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(c, { account: 'shop', scope: 'hosting' });
  const completed: string[] = [];
  c.onNotification((m, p) => { if (m === 'download.completed') completed.push((p as { snapshotId: string }).snapshotId); });
  await c.call('events.subscribe', { types: ['download.completed'] });
  const dir = sharedTempDir(t);
  const sock = d.daemon.config.download.socket;
  const rounds = 5;
  const stop = busyThreadpool(Number(process.env.UV_THREADPOOL_SIZE ?? 4) * 2);
  try {
    for (let i = 0; i < rounds; i++) {
      const link = await c.call<{ path: string }>('download.create', { snapshotId: snapshot.snapshotId, session: `busy-session-${i}` });
      const r = await curlDownload(sock, link.path, { session: `busy-session-${i}`, out: path.join(dir, `a${i}.tar.gz`) });
      t.equal(r.status, 200, `download ${i} answered`);
    }
    await waitFor(() => (completed.length >= rounds ? true : undefined), 60_000, `${rounds} download.completed events`).catch(() => undefined);
  } finally {
    stop();
  }
  t.equal(completed.length, rounds, 'every whole download was announced as completed');
});
