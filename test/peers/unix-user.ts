// Real Unix users for peers that log in (sshd, vsftpd): unique `hat` names, removed at teardown.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync } from 'node:fs';

export interface TestUser {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
  remove(): void;
}

export function createTestUser(home: string): TestUser {
  const name = `hat${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', name], { stdio: 'pipe' });
  execFileSync('chpasswd', [], { input: `${name}:${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chownSync(home, uid, gid);
  return {
    name, password, uid, gid, home,
    // -f: a session process of the user may still be exiting (or be an unreaped zombie).
    remove: () => { try { execFileSync('userdel', ['-f', name], { stdio: 'ignore' }); } catch { /* already gone */ } },
  };
}
