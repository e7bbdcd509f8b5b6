// account.json of a mailbox. Only an Argon2id hash leaves the host; anything else (clear text,
// MD5-crypt, SHA512-crypt, bcrypt…) is never exported, and the caller gets a warning instead.
import type { SourceWarning } from '../../core/archive-part.ts';

// Dovecot writes `{ARGON2ID}$argon2id$v=19$m=...,t=...,p=...$salt$hash`; the scheme prefix is optional.
const ARGON2ID = /^(?:\{ARGON2ID\})?(\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2})$/;

export function accountDocument(address: string, passwordHash: string | null | undefined, counts: { mailboxes: number; emails: number; blobs: number }): { doc: Record<string, unknown>; warning?: SourceWarning } {
  const doc: Record<string, unknown> = { address, format: 'hostagent-mail/1', ...counts };
  if (!passwordHash) return { doc };
  const m = ARGON2ID.exec(passwordHash.trim());
  if (m) {
    doc.passwordHash = m[1];
    doc.passwordScheme = 'argon2id';
    return { doc };
  }
  return {
    doc,
    warning: {
      code: 'MAIL_PASSWORD_NOT_EXPORTED',
      path: `mail/${address}/account.json`,
      message: `mailbox ${address}: its password is not an Argon2id hash, so it is not exported; set a new password after a restore`,
    },
  };
}
