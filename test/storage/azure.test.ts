import t from 'tap';
import { BlobServiceClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { requirePeer } from '../helpers/peer.ts';
import { createDestination, publicSettings } from '../../src/storage/index.ts';
import { startAzurite, type AzuritePeer } from '../peers/azurite.ts';
import { runDestinationSuite } from './suite.ts';
import { createHash } from 'node:crypto';

t.test('azure (Azurite blob service)', { timeout: 180_000 }, async (t) => {
  let peer: AzuritePeer | undefined;
  let why = '';
  try { peer = await startAzurite(); } catch (err) { why = (err as Error).message; }
  if (!requirePeer(t, 'azurite', !!peer, why)) return;
  t.teardown(() => peer!.close());
  const p = peer!;
  await BlobServiceClient.fromConnectionString(p.connectionString).getContainerClient('backups').createIfNotExists();
  const settings = (over: Record<string, unknown> = {}) => ({
    accountName: p.accountName, accountKey: p.accountKey, endpoint: p.endpoint, container: 'backups', path: 'node1', blockSizeMB: 4, accessTier: 'Cool', ...over,
  });

  await runDestinationSuite(t, () => createDestination({ name: 'az', type: 'azure', settings: settings() }), p, { largeBytes: 32 * 1024 * 1024 });

  await t.test('connection string; sha256 recorded with the blob', async (t) => {
    const dest = await createDestination({ name: 'az', type: 'azure', settings: { connectionString: p.connectionString, container: 'backups', path: 'cs' } });
    const body = Buffer.from('recorded checksum');
    await dest.put('a.txt', Readable.from([body]));
    t.equal((await dest.stat('a.txt'))?.sha256, createHash('sha256').update(body).digest('hex'));
    await dest.delete('a.txt');
  });

  await t.test('classified failures and redacted settings', async (t) => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const bad = await createDestination({ name: 'az', type: 'azure', settings: settings({ accountKey: wrongKey }) });
    const err = await bad.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 'azure' } });
    t.notMatch(err.message, wrongKey);
    const noContainer = await createDestination({ name: 'az', type: 'azure', settings: settings({ container: 'missing' }) });
    await t.rejects(noContainer.put('x', Readable.from([Buffer.from('x')])), { code: 'AGENT_E_DEST_NOT_FOUND' });
    await t.rejects(createDestination({ name: 'az', type: 'azure', settings: settings({ connectionString: p.connectionString }) }), { code: 'AGENT_E_INVALID' });
    t.match(publicSettings('azure', settings()), { accountKey: '***', accountName: p.accountName });
    t.match(publicSettings('azure', { connectionString: p.connectionString, container: 'c' }), { connectionString: '***' });
  });
});
