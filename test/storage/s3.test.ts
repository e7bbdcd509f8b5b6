import t from 'tap';
import { Readable } from 'node:stream';
import { requirePeer } from '../helpers/peer.ts';
import { createServer } from 'node:http';
import { createDestination, publicSettings, RetryingDestination, testDestination } from '../../src/storage/index.ts';
import { startS3, type S3Peer } from '../peers/s3.ts';
import { runDestinationSuite } from './suite.ts';

t.test('s3 (s3rver)', async (t) => {
  let peer: S3Peer | undefined;
  let why = '';
  try { peer = await startS3(); } catch (err) { why = (err as Error).message; }
  if (!requirePeer(t, 's3rver', !!peer, why)) return;
  t.teardown(() => peer!.close());
  const settings = (over: Record<string, unknown> = {}) => ({
    bucket: peer!.bucket, path: 'hosts/node1', endpoint: peer!.endpoint, protocol: 'http', forcePathStyle: true,
    accessKeyId: peer!.accessKeyId, secretAccessKey: peer!.secretAccessKey, partSizeMB: 5, ...over,
  });

  // 5 MiB parts: the 64 MiB object goes up as a 13-part multipart upload.
  await runDestinationSuite(t, () => createDestination({ name: 's3', type: 's3', settings: settings() }), peer, { chunkRetries: true });

  await t.test('classified failures', async (t) => {
    const badKey = await createDestination({ name: 's3', type: 's3', settings: settings({ accessKeyId: 'NOTAKEY', secretAccessKey: 'wrong-secret-value' }) });
    const err = await badKey.put('x', Readable.from([Buffer.from('x')])).catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 's3' } });
    t.notMatch(err.message, /wrong-secret-value/, 'the secret is not in the message');
    const noBucket = await createDestination({ name: 's3', type: 's3', settings: settings({ bucket: 'no-such-bucket' }) });
    await t.rejects(noBucket.list(), { code: 'AGENT_E_DEST_NOT_FOUND' });
    const refused = await createDestination({ name: 's3', type: 's3', settings: settings({ endpoint: '127.0.0.1:1' }) });
    await t.rejects(refused.stat('x'), { code: 'AGENT_E_DEST_UNREACHABLE' });
  });

  await t.test('a permanent failure is not retried', async (t) => {
    const bad = await createDestination({ name: 's3', type: 's3', settings: settings({ accessKeyId: 'NOTAKEY' }) });
    let retries = 0;
    await t.rejects(new RetryingDestination(bad, { attempts: 5, baseDelayMs: 10, onRetry: () => { retries++; } }).list(), { code: 'AGENT_E_DEST_AUTH' });
    t.equal(retries, 0);
  });

  await t.test('credentials from an IAM role (container credentials) endpoint', async (t) => {
    let answer: { status: number; body: unknown } = { status: 200, body: { AccessKeyId: peer!.accessKeyId, SecretAccessKey: peer!.secretAccessKey, Token: 'session-token', Expiration: new Date(Date.now() + 3600_000).toISOString() } };
    const creds = createServer((_req, res) => { res.writeHead(answer.status, { 'content-type': 'application/json' }); res.end(JSON.stringify(answer.body)); });
    await new Promise<void>((resolve) => creds.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => creds.close(() => resolve())));
    const iamRoleEndpoint = `http://127.0.0.1:${(creds.address() as { port: number }).port}/v2/credentials/role`;
    const dest = await createDestination({ name: 's3', type: 's3', settings: settings({ accessKeyId: undefined, secretAccessKey: undefined, iamRoleEndpoint }) });
    t.ok((await testDestination(dest)).ok, 'works with the role credentials');
    answer = { status: 500, body: {} };
    const fresh = await createDestination({ name: 's3', type: 's3', settings: settings({ accessKeyId: undefined, secretAccessKey: undefined, iamRoleEndpoint }) });
    await t.rejects(fresh.list(), { code: 'AGENT_E_DEST_AUTH' }, 'no credentials: AGENT_E_DEST_AUTH');
  });

  await t.test('settings', async (t) => {
    await t.rejects(createDestination({ name: 's3', type: 's3', settings: settings({ path: '/leading' }) }), { code: 'AGENT_E_INVALID', data: { field: 'path' } });
    await t.rejects(createDestination({ name: 's3', type: 's3', settings: settings({ insecure: true }) }), { code: 'AGENT_E_INVALID', data: { field: 'insecure' } });
    await t.rejects(createDestination({ name: 's3', type: 's3', settings: settings({ secretAccessKey: undefined }) }), { code: 'AGENT_E_INVALID' });
    t.match(publicSettings('s3', settings()), { secretAccessKey: '***', accessKeyId: peer!.accessKeyId, bucket: peer!.bucket });
  });
});

t.test('s3 over https (s3rver with a self-signed certificate)', async (t) => {
  let peer: S3Peer | undefined;
  let why = '';
  try { peer = await startS3({ https: true }); } catch (err) { why = (err as Error).message; }
  if (!requirePeer(t, 's3rver (https)', !!peer, why)) return;
  t.teardown(() => peer!.close());
  const settings = (over: Record<string, unknown>) => ({
    bucket: peer!.bucket, endpoint: peer!.endpoint, protocol: 'https', forcePathStyle: true,
    accessKeyId: peer!.accessKeyId, secretAccessKey: peer!.secretAccessKey, ...over,
  });
  const strict = await createDestination({ name: 's3', type: 's3', settings: settings({}) });
  await t.rejects(strict.list(), { code: 'AGENT_E_DEST_UNREACHABLE', message: /certificate/i }, 'an unknown CA is refused');
  for (const [label, over] of [['insecure', { insecure: true }], ['caCert as PEM', { caCert: peer!.certPem }], ['caCert as a path', { caCert: peer!.certFile }]] as const) {
    const dest = await createDestination({ name: 's3', type: 's3', settings: settings(over) });
    const r = await testDestination(dest);
    t.ok(r.ok, `${label}: ${JSON.stringify(r)}`);
    await dest.close();
  }
  await t.rejects(createDestination({ name: 's3', type: 's3', settings: settings({ caCert: '/no/such/ca.pem' }) }), { code: 'AGENT_E_INVALID', data: { field: 'caCert' } });
});
