// Who reads or writes a Maildir. Whoever can write a component of its path decides what the
// path means (path-decider.ts), so the Maildir is only ever opened as that user, by a child
// walking fd-relative with O_NOFOLLOW from the root-owned anchor. The configured owner (user
// name or uid; the account's uid by default) must be that user. Mail is never read or written
// as root: an owner of uid 0, or a Maildir only root decides about, is refused.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AgentError } from '../../errors/index.ts';
import { whoDecides, type PathDecision } from '../common/path-decider.ts';
import { USER_KEY } from '../../core/accounts/owner-uid.ts';

const execFileP = promisify(execFile);

export interface UnixIdentity {
  uid: number;
  gid: number;
}

function parsePasswd(line: string): UnixIdentity | null {
  const f = line.split('\n')[0]!.split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return f.length >= 4 && f[2] !== '' && Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}

/** Looks a user up through NSS (`getent passwd`), so LDAP/sssd users work too. */
export async function lookupUser(owner: string | number): Promise<UnixIdentity | null> {
  const key = String(owner);
  if (!USER_KEY.test(key)) return null;
  try {
    return parsePasswd((await execFileP('getent', ['passwd', key])).stdout);
  } catch {
    return null;
  }
}

export interface MailboxPlace extends UnixIdentity {
  /** The Maildir as the child opens it: `rest` below the root-owned `anchor`. */
  anchor: string;
  rest: string[];
}

/**
 * The identity a Maildir is opened as, and where. `owner` defaults to whoever decides the path.
 * AGENT_E_INVALID for an owner that is root or unknown; AGENT_E_SOURCE_READ when the Maildir's
 * path is decided by root alone or by anyone but the owner.
 */
export async function resolveMailOwner(maildir: string, owner: string | number | undefined, address: string): Promise<MailboxPlace> {
  const refuse = (why: string) => new AgentError('AGENT_E_SOURCE_READ', `mailbox ${address}: ${maildir}: ${why}`, { data: { address } });
  let d: PathDecision;
  try {
    d = whoDecides(maildir);
  } catch (err) {
    throw refuse((err as NodeJS.ErrnoException).code ?? String(err));
  }
  const place = { anchor: d.anchor, rest: d.rest };
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, ...place };
  let id: UnixIdentity | null = null;
  if (owner !== undefined && owner !== null && owner !== '') {
    id = await lookupUser(owner);
    // A numeric uid without a passwd entry (virtual mail setups): its group is its own number.
    if (!id && (typeof owner === 'number' || /^\d+$/.test(String(owner)))) id = { uid: Number(owner), gid: Number(owner) };
    if (!id) throw new AgentError('AGENT_E_INVALID', `mailbox ${address}: owner "${owner}" is not a known user`, { data: { field: 'mailboxes.owner' } });
    if (id.uid === 0) throw new AgentError('AGENT_E_INVALID', `mailbox ${address}: mail is never read or written as root`, { data: { field: 'mailboxes.owner' } });
  }
  if (d.rest.length === 0 || d.decider === null) throw refuse(d.rest.length === 0 ? 'only root decides this path; mail is never read or written as root' : 'ENOENT');
  if (d.decider.uid === 0) throw refuse(`${d.anchor === '/' ? '' : d.anchor}/${d.rest[0]} is root's but others can write it`);
  if (id && d.decider.uid !== id.uid) throw refuse(`its path is decided by uid ${d.decider.uid}, not by the mailbox owner (uid ${id.uid})`);
  id ??= (await lookupUser(d.decider.uid)) ?? d.decider;
  return { uid: id.uid, gid: id.gid, ...place };
}
