// A private OpenSSH sshd: its own host key and config in a temp dir, 127.0.0.1 only, a random
// port, one test user with a password and a passphrase-protected key. Never the system sshd.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { restartableServer, type RestartableServer } from './process.ts';
import { createTestUser, type TestUser } from './unix-user.ts';

export const SSHD = '/usr/sbin/sshd';

export interface SshdPeer {
  port: number;
  user: TestUser;
  /** Private key file of the user, protected by `keyPassphrase`. */
  keyFile: string;
  keyPassphrase: string;
  /** `SHA256:...` of the host key, and the host key as a known_hosts line. */
  hostKeyFingerprint: string;
  knownHostsLine: string;
  /** A fingerprint of another key, for the wrong-pin case. */
  otherFingerprint: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSshd(): Promise<SshdPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hat-sshd-'));
  chmodSync(dir, 0o755);
  const user = createTestUser(join(dir, 'home'));
  let server: RestartableServer | undefined;
  try {
    const keygen = (file: string, pass: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', pass, '-f', file, '-C', 'hostagent-test'], { stdio: 'pipe' });
    keygen(join(dir, 'host_key'), '');
    keygen(join(dir, 'other_key'), '');
    const keyPassphrase = 'correct horse battery';
    keygen(join(dir, 'user_key'), keyPassphrase);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${user.name}`,
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'));
    // sshd insists on its privilege separation directory even when started privately.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const fingerprint = (pub: string) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]).toString().split(' ')[1];
    const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ');

    server = restartableServer('sshd', SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], port);
    const { start, stop } = server;
    await start();
    return {
      port, user, keyPassphrase,
      keyFile: join(dir, 'user_key'),
      hostKeyFingerprint: fingerprint(join(dir, 'host_key.pub')),
      knownHostsLine: `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}`,
      otherFingerprint: fingerprint(join(dir, 'other_key.pub')),
      start, stop,
      close: async () => { await stop(); user.remove(); rmSync(dir, { recursive: true, force: true }); },
    };
  } catch (err) {
    await server?.stop();
    user.remove();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
