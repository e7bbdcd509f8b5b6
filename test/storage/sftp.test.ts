import t from 'tap';
import { Readable } from 'node:stream';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { createDestination, publicSettings, testDestination } from '../../src/storage/index.ts';
import { SSHD, startSshd, type SshdPeer } from '../peers/sshd.ts';
import { runDestinationSuite } from './suite.ts';
import { existsSync } from 'node:fs';

t.test('sftp (OpenSSH sshd)', async (t) => {
  let peer: SshdPeer | undefined;
  let why = !existsSync(SSHD) ? `${SSHD} not installed` : !IS_ROOT ? 'needs root to add a test user' : '';
  if (!why) {
    try { peer = await startSshd(); } catch (err) { why = (err as Error).message; }
  }
  if (!requirePeer(t, 'sshd', !!peer, why)) return;
  t.teardown(() => peer!.close());
  const p = peer!;
  const base = { host: '127.0.0.1', port: p.port, user: p.user.name, hostKey: p.hostKeyFingerprint };
  const sftp = (settings: Record<string, unknown>) => createDestination({ name: 'sftp', type: 'sftp', settings });

  await t.test('password auth, fingerprint pin', { timeout: 180_000 }, async (t) => {
    await runDestinationSuite(t, () => sftp({ ...base, password: p.user.password, path: 'backups/node1' }), p, { largeBytes: 32 * 1024 * 1024 });
  });

  await t.test('key auth with a passphrase-protected key, known_hosts pin, absolute path created', async (t) => {
    const dest = await sftp({ ...base, hostKey: p.knownHostsLine, identityFile: p.keyFile, identityPassphrase: p.keyPassphrase, path: `${p.user.home}/abs/dir` });
    t.teardown(() => dest.close());
    const r = await testDestination(dest);
    t.ok(r.ok, JSON.stringify(r));
    await dest.put('k.txt', Readable.from([Buffer.from('by key')]));
    t.equal((await dest.stat('k.txt'))?.size, 6);
  });

  await t.test('host-key checks', async (t) => {
    const wrong = await sftp({ ...base, hostKey: p.otherFingerprint, password: p.user.password });
    const err = await wrong.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_HOST_KEY', data: { backend: 'sftp', fingerprint: p.hostKeyFingerprint } }, 'a wrong pin is refused');
    t.match(err.message, /does not match/);
    await t.rejects(sftp({ ...base, hostKey: undefined, password: p.user.password }).then((d) => d.list()), { code: 'AGENT_E_DEST_HOST_KEY', message: /unknown/ }, 'an unknown key is refused');
    const tofu = await sftp({ ...base, hostKey: undefined, trustOnFirstUse: true, password: p.user.password }) as unknown as { list(): Promise<unknown>; seenHostKey?: string; close(): Promise<void> };
    await tofu.list();
    t.equal(tofu.seenHostKey, p.hostKeyFingerprint, 'trust on first use accepts and reports the key');
    await tofu.close();
    await t.rejects(sftp({ ...base, hostKey: 'SHA256:nonsense' , password: 'x' }), { code: 'AGENT_E_INVALID', data: { field: 'hostKey' } });
  });

  await t.test('auth failures', async (t) => {
    const badPw = await sftp({ ...base, password: 'not-the-password-123' });
    const err = await badPw.list().catch((e: unknown) => e) as Error;
    t.match(err, { code: 'AGENT_E_DEST_AUTH', data: { backend: 'sftp' } });
    t.notMatch(err.message, /not-the-password-123/);
    await t.rejects(sftp({ ...base, identityFile: p.keyFile, identityPassphrase: 'wrong passphrase' }), { code: 'AGENT_E_INVALID', data: { field: 'identityPassphrase' } }, 'a wrong passphrase is caught when the destination is created');
    await t.rejects(sftp({ ...base, port: 1, password: 'x' }).then((d) => d.list()), { code: 'AGENT_E_DEST_UNREACHABLE' });
    t.match(publicSettings('sftp', { ...base, password: 'secret1', identityPassphrase: 'secret2' }), { password: '***', identityPassphrase: '***', user: p.user.name });
  });
});
