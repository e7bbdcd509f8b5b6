// The short-lived database login a dump is loaded with: `hostagent_restore_<random>`, a random
// password, and the password's server-side verifier. Only the verifier ever reaches an admin
// statement (which travels in the client's argv, readable in /proc by every local user); the
// password itself is written only to the 0600 credential file of the loading client.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const TEMPORARY_LOGIN_PREFIX = 'hostagent_restore_';

export interface TemporaryLogin {
  name: string;
  password: string;
}

export function newTemporaryLogin(): TemporaryLogin {
  return { name: TEMPORARY_LOGIN_PREFIX + randomBytes(8).toString('hex'), password: randomBytes(24).toString('base64url') };
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (what `PASSWORD '...'` accepts pre-hashed). */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** MariaDB's mysql_native_password hash: `*` + hex(SHA1(SHA1(password))). */
export function mysqlNativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password).digest();
  return '*' + createHash('sha1').update(once).digest('hex').toUpperCase();
}

/** A PostgreSQL identifier in double quotes. */
export function pgIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
