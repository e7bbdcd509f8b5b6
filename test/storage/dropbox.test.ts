import t from 'tap';
import { Readable } from 'node:stream';
import { createDestination, publicSettings } from '../../src/storage/index.ts';
import { startDropboxDouble } from '../peers/dropbox-double.ts';
import { runDestinationSuite } from './suite.ts';

t.test('dropbox (HTTP double of the API)', { timeout: 180_000 }, async (t) => {
  // Always available: the double is part of the test code, so requirePeer is not needed.
  const peer = await startDropboxDouble();
  t.teardown(() => peer.close());
  const settings = (over: Record<string, unknown> = {}) => ({
    path: '/Backups/node1', appKey: peer.appKey, appSecret: peer.appSecret, refreshToken: peer.refreshToken,
    apiUrl: peer.url, contentUrl: peer.url, chunkSizeMB: 4, concurrency: 2, ...over,
  });

  // 4 MiB chunks: the large object goes through an upload session of 8 appends.
  await runDestinationSuite(t, () => createDestination({ name: 'dbx', type: 'dropbox', settings: settings() }), peer, { largeBytes: 32 * 1024 * 1024, chunkRetries: true });

  await t.test('access tokens are refreshed when they expire', async (t) => {
    const dest = await createDestination({ name: 'dbx', type: 'dropbox', settings: settings() });
    await dest.put('t.txt', Readable.from([Buffer.from('token')]));
    const before = peer.tokensIssued();
    peer.expireTokens();
    t.equal((await dest.stat('t.txt'))?.size, 5, 'the call succeeds after renewing the token');
    t.equal(peer.tokensIssued(), before + 1, 'exactly one new token');
    await dest.delete('t.txt');
  });

  await t.test('classified failures and redacted settings', async (t) => {
    const revoked = await createDestination({ name: 'dbx', type: 'dropbox', settings: settings({ refreshToken: 'revoked-refresh-token' }) });
    const err = await revoked.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 'dropbox' } });
    t.notMatch(err.message, /revoked-refresh-token/);
    const badSecret = await createDestination({ name: 'dbx', type: 'dropbox', settings: settings({ appSecret: 'not-the-app-secret' }) });
    await t.rejects(badSecret.stat('x'), { code: 'AGENT_E_DEST_AUTH' });
    const down = await createDestination({ name: 'dbx', type: 'dropbox', settings: settings({ apiUrl: 'http://127.0.0.1:1', contentUrl: 'http://127.0.0.1:1' }) });
    await t.rejects(down.stat('x'), { code: 'AGENT_E_DEST_UNREACHABLE' });
    t.match(publicSettings('dropbox', settings()), { appSecret: '***', refreshToken: '***', appKey: peer.appKey });
  });
});
