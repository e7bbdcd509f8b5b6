import t from 'tap';
import { requirePeer } from '../helpers/peer.ts';
import { createDestination, publicSettings } from '../../src/storage/index.ts';
import { startWebdav, type WebdavPeer } from '../peers/webdav.ts';
import { runDestinationSuite } from './suite.ts';

t.test('webdav (webdav-server, basic auth)', { timeout: 180_000 }, async (t) => {
  let peer: WebdavPeer | undefined;
  let why = '';
  try { peer = await startWebdav(); } catch (err) { why = (err as Error).message; }
  if (!requirePeer(t, 'webdav-server', !!peer, why)) return;
  t.teardown(() => peer!.close());
  const settings = (over: Record<string, unknown> = {}) => ({ url: peer!.url, path: 'backups/node 1', username: peer!.username, password: peer!.password, ...over });

  await runDestinationSuite(t, () => createDestination({ name: 'dav', type: 'webdav', settings: settings() }), peer, { largeBytes: 32 * 1024 * 1024 });

  await t.test('classified failures and redacted settings', async (t) => {
    const bad = await createDestination({ name: 'dav', type: 'webdav', settings: settings({ password: 'wrong-dav-password' }) });
    const err = await bad.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 'webdav' } });
    t.notMatch(err.message, /wrong-dav-password/);
    const down = await createDestination({ name: 'dav', type: 'webdav', settings: settings({ url: 'http://127.0.0.1:1' }) });
    await t.rejects(down.stat('x'), { code: 'AGENT_E_DEST_UNREACHABLE' });
    t.match(publicSettings('webdav', settings()), { password: '***', username: peer!.username });
  });
});
