// Who reads a Maildir: the configured owner (user name or uid), else the owner of the Maildir
// directory itself (lstat only: root never opens the tenant-controlled path).
import fs from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AgentError } from '../../errors/index.ts';

const execFileP = promisify(execFile);

export interface UnixIdentity {
  uid: number;
  gid: number;
}

/** Looks a user up through NSS (`getent passwd`), so LDAP/sssd users work too. */
export async function lookupUser(owner: string | number): Promise<UnixIdentity | null> {
  const key = String(owner);
  if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(key)) return null;
  try {
    const { stdout } = await execFileP('getent', ['passwd', key]);
    const f = stdout.split('\n')[0]!.split(':');
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

export async function resolveMailOwner(maildir: string, owner: string | number | undefined, address: string): Promise<UnixIdentity> {
  if (owner !== undefined && owner !== null && owner !== '') {
    const found = await lookupUser(owner);
    if (found) return found;
    if (typeof owner === 'number' || /^\d+$/.test(String(owner))) {
      // A numeric uid without a passwd entry (virtual mail setups): its group is its own number.
      const uid = Number(owner);
      return { uid, gid: uid };
    }
    throw new AgentError('AGENT_E_INVALID', `mailbox ${address}: owner "${owner}" is not a known user`, { data: { field: 'mailboxes.owner' } });
  }
  try {
    const st = await fs.lstat(maildir);
    if (st.isSymbolicLink()) throw new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: ${maildir} is a symbolic link`, { data: { address } });
    return { uid: st.uid, gid: st.gid };
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: cannot read ${maildir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { data: { address }, cause: err });
  }
}
