// A private vsftpd: its own config file on a random loopback port and passive port range, one
// local test user, plain or with TLS (explicit AUTH TLS, or implicit) using a self-signed
// certificate made with openssl. Never the system FTP service.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { restartableServer, type RestartableServer } from './process.ts';
import { createTestUser, type TestUser } from './unix-user.ts';

export const VSFTPD = '/usr/sbin/vsftpd';

export interface FtpPeer {
  port: number;
  user: TestUser;
  tls: 'none' | 'explicit' | 'implicit';
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startFtp(tls: FtpPeer['tls']): Promise<FtpPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hat-ftp-'));
  chmodSync(dir, 0o755);
  const user = createTestUser(join(dir, 'home'));
  let server: RestartableServer | undefined;
  try {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { mode: 0o555 });
    const port = await freePort();
    // A random band below the ephemeral range; vsftpd picks a free port inside it per transfer.
    const pasv = 20000 + Math.floor(Math.random() * 12000);
    const lines = [
      'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
      'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES', 'local_umask=077',
      'pasv_enable=YES', 'pasv_address=127.0.0.1', `pasv_min_port=${pasv}`, `pasv_max_port=${pasv + 50}`,
      'port_enable=NO', 'connect_from_port_20=NO',
      `secure_chroot_dir=${empty}`, 'seccomp_sandbox=NO', 'pam_service_name=vsftpd', 'userlist_enable=NO',
      'utf8_filesystem=YES', 'xferlog_enable=NO', 'dirmessage_enable=NO', 'use_localtime=NO',
      `vsftpd_log_file=${join(dir, 'vsftpd.log')}`,
    ];
    if (tls !== 'none') {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      lines.push('ssl_enable=YES', `rsa_cert_file=${join(dir, 'cert.pem')}`, `rsa_private_key_file=${join(dir, 'key.pem')}`,
        'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'require_ssl_reuse=NO', 'ssl_tlsv1=NO', 'ssl_sslv2=NO', 'ssl_sslv3=NO',
        `implicit_ssl=${tls === 'implicit' ? 'YES' : 'NO'}`);
    }
    writeFileSync(join(dir, 'vsftpd.conf'), lines.join('\n') + '\n', { mode: 0o600 });
    server = restartableServer('vsftpd', VSFTPD, [join(dir, 'vsftpd.conf')], port);
    const { start, stop } = server;
    await start();
    return {
      port, user, tls, start, stop,
      close: async () => { await stop(); user.remove(); rmSync(dir, { recursive: true, force: true }); },
    };
  } catch (err) {
    await server?.stop();
    user.remove();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
