import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { createDestination, publicSettings, testDestination } from '../../src/storage/index.ts';
import { VSFTPD, startFtp, type FtpPeer } from '../peers/ftp.ts';
import { runDestinationSuite } from './suite.ts';

async function withPeer(t: Test, tls: FtpPeer['tls']): Promise<FtpPeer | undefined> {
  let peer: FtpPeer | undefined;
  let why = !existsSync(VSFTPD) ? `${VSFTPD} not installed` : !IS_ROOT ? 'needs root to add a test user' : '';
  if (!why) {
    try { peer = await startFtp(tls); } catch (err) { why = (err as Error).message; }
  }
  if (!requirePeer(t, `vsftpd (${tls})`, !!peer, why)) return undefined;
  t.teardown(() => peer!.close());
  return peer;
}

const settingsFor = (p: FtpPeer, over: Record<string, unknown> = {}) => ({
  host: '127.0.0.1', port: p.port, user: p.user.name, password: p.user.password, path: 'backups/node1', tls: p.tls, insecure: true, ...over,
});

t.test('ftp (vsftpd, plain)', { timeout: 180_000 }, async (t) => {
  const p = await withPeer(t, 'none');
  if (!p) return;
  await runDestinationSuite(t, () => createDestination({ name: 'ftp', type: 'ftp', settings: settingsFor(p) }), p, { largeBytes: 32 * 1024 * 1024 });
  await t.test('classified failures and redacted settings', async (t) => {
    const bad = await createDestination({ name: 'ftp', type: 'ftp', settings: settingsFor(p, { password: 'wrong-ftp-password' }) });
    const err = await bad.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 'ftp' } });
    t.notMatch(err.message, /wrong-ftp-password/);
    await t.rejects(createDestination({ name: 'ftp', type: 'ftp', settings: settingsFor(p, { port: 1 }) }).then((d) => d.list()), { code: 'AGENT_E_DEST_UNREACHABLE' });
    await t.rejects(createDestination({ name: 'ftp', type: 'ftp', settings: settingsFor(p, { passive: false }) }), { code: 'AGENT_E_INVALID', data: { field: 'passive' } });
    t.match(publicSettings('ftp', settingsFor(p)), { password: '***', user: p.user.name });
  });
});

t.test('ftps (vsftpd, explicit TLS)', { timeout: 180_000 }, async (t) => {
  const p = await withPeer(t, 'explicit');
  if (!p) return;
  await runDestinationSuite(t, () => createDestination({ name: 'ftps', type: 'ftp', settings: settingsFor(p) }), p, { largeBytes: 16 * 1024 * 1024 });
  await t.test('the self-signed certificate is refused unless insecure', async (t) => {
    const strict = await createDestination({ name: 'ftps', type: 'ftp', settings: settingsFor(p, { insecure: false }) });
    await t.rejects(strict.list(), { code: 'AGENT_E_DEST_UNREACHABLE', message: /certificate/i });
    const plain = await createDestination({ name: 'ftps', type: 'ftp', settings: settingsFor(p, { tls: 'none' }) });
    await t.rejects(plain.list(), { code: /AGENT_E_DEST_(AUTH|PERMISSION)/ }, 'the server insists on TLS for logins');
  });
});

t.test('ftps (vsftpd, implicit TLS)', { timeout: 120_000 }, async (t) => {
  const p = await withPeer(t, 'implicit');
  if (!p) return;
  const dest = await createDestination({ name: 'ftpsi', type: 'ftp', settings: settingsFor(p) });
  t.teardown(() => dest.close());
  const probe = await testDestination(dest);
  t.ok(probe.ok, JSON.stringify(probe));
  await dest.put('dir/ä b.txt', Readable.from([Buffer.from('implicit tls')]));
  t.same((await dest.list()).map((o) => [o.name, o.size]), [['dir/ä b.txt', 12]]);
});
