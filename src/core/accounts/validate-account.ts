import fs from 'node:fs';
import path from 'node:path';
import { AgentError } from '../../errors/index.ts';
import type { FieldProblem } from '../schema.ts';
import type { AccountSpec } from '../model.ts';
import { ownerUidSync } from './owner-uid.ts';

/**
 * Checks an account as a whole and names every problem at once, so an admin fixes them in one
 * round. The home is only lstat'ed (never opened) and must be a real directory owned by uid.
 */
export function validateAccount(spec: AccountSpec, knownPackage: (name: string) => boolean, otherAccountWithUid: (uid: number) => string | null = () => null): void {
  const problems: FieldProblem[] = [];
  const home = path.normalize(spec.home);
  if (!path.isAbsolute(spec.home)) problems.push({ field: 'home', message: 'must be an absolute path' });
  else if (home !== spec.home.replace(/\/+$/, '') || spec.home.split('/').includes('..')) problems.push({ field: 'home', message: 'must be a normalised path without ".." or "//"' });
  else if (home === '/') problems.push({ field: 'home', message: 'must not be /' });
  else {
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(home);
    } catch {
      problems.push({ field: 'home', message: `${home} does not exist` });
    }
    if (st) {
      if (st.isSymbolicLink()) problems.push({ field: 'home', message: `${home} is a symlink; give the real directory` });
      else if (!st.isDirectory()) problems.push({ field: 'home', message: `${home} is not a directory` });
      else if (st.uid !== spec.uid) problems.push({ field: 'home', message: `${home} is owned by uid ${st.uid}, not ${spec.uid}` });
    }
  }
  if (spec.uid === 0) problems.push({ field: 'uid', message: 'must not be root (0): tenant files are read with this uid' });
  if (spec.gid === 0) problems.push({ field: 'gid', message: 'must not be root\'s group (0)' });
  if (spec.package !== undefined && !knownPackage(spec.package)) problems.push({ field: 'package', message: `package ${spec.package} does not exist` });
  const seen = (items: string[] | undefined, field: string) => {
    const dup = items?.find((v, i) => items.indexOf(v) !== i);
    if (dup !== undefined) problems.push({ field, message: `${dup} is listed twice` });
  };
  // Both engines' dumps land in databases/<name>.sql, so a name may appear once across engines.
  seen(spec.databases?.map((d) => d.name), 'databases');
  seen(spec.mailboxes?.map((m) => m.address.toLowerCase()), 'mailboxes');
  seen(spec.zones?.map((z) => z.name.toLowerCase()), 'zones');
  spec.zones?.forEach((z, i) => {
    if (!fs.existsSync(z.file)) problems.push({ field: `zones.${i}.file`, message: `${z.file} does not exist` });
  });
  // Mail is read and written as its owner: never root, never another account.
  spec.mailboxes?.forEach((m, i) => {
    if (m.owner === undefined) return;
    const uid = ownerUidSync(m.owner);
    if (uid === 0) problems.push({ field: `mailboxes.${i}.owner`, message: 'must not be root (0): mail is read and written as this user' });
    else if (uid !== null && uid !== spec.uid && otherAccountWithUid(uid) !== null) problems.push({ field: `mailboxes.${i}.owner`, message: `uid ${uid} belongs to account ${otherAccountWithUid(uid)}` });
  });
  spec.docroots?.forEach((d, i) => {
    if (path.isAbsolute(d) || d.split('/').includes('..')) problems.push({ field: `docroots.${i}`, message: 'must be relative to the home directory, without ".."' });
  });
  spec.excludes?.forEach((g, i) => {
    if (g.startsWith('/') || g.split('/').includes('..')) problems.push({ field: `excludes.${i}`, message: 'must be a glob relative to the home directory, without ".."' });
  });
  if (problems.length) {
    throw new AgentError('AGENT_E_INVALID', `account ${spec.name}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
      data: { field: problems[0]!.field, problems },
    });
  }
}
