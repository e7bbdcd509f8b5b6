import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, run, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('the download endpoint also serves on a configured loopback port', async (t) => {
  const port = await freePort();
  const d = await startDaemon(t, { config: { download: { listen: `127.0.0.1:${port}`, baseUrl: `http://127.0.0.1:${port}` } } });
  const tenant = await makeTenant(t, { profile: 'empty' });
  fs.writeFileSync(path.join(tenant.home, 'index.html'), 'hello');
  await run('chown', [`${tenant.uid}:${tenant.gid}`, path.join(tenant.home, 'index.html')]);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(c, { account: 'shop' });
  const link = await c.call<{ url: string }>('download.create', { snapshotId: snapshot.snapshotId, session: 'loopback-session-1' });
  t.match(link.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/d/`), 'the URL uses the configured base');
  const out = path.join(sharedTempDir(t), 'a.tar.gz');
  const { stdout } = await run('curl', ['-s', '-o', out, '-w', '%{http_code}', '-H', 'X-Hostagent-Session: loopback-session-1', link.url]);
  t.equal(stdout, '200');
  t.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), snapshot.sha256);
  const wrong = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', link.url]);
  t.equal(wrong.stdout, '403', 'no session, no download');
});
