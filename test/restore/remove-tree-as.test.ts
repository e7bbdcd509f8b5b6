// Removing an incomplete staging directory, as the account that owns it, with a real Unix user.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { removeTreeAs } from '../../src/restore/remove-tree-as.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { makeTenant, run, sharedTempDir } from '../helpers/tenant.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'the tree is removed as another user')) t.end();

/** A tree owned by the tenant, with read-only and unreadable directories and a link out. */
async function stagedTree(parent: string, user: string, uid: number, gid: number, outside: string): Promise<string> {
  const dir = path.join(parent, `${user}-restore-20261123T000000Z`);
  fs.mkdirSync(path.join(dir, 'a/b'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a/b/c.txt'), 'c');
  fs.mkdirSync(path.join(dir, 'ro'));
  fs.writeFileSync(path.join(dir, 'ro/file'), 'r');
  fs.mkdirSync(path.join(dir, 'locked'));
  fs.writeFileSync(path.join(dir, 'locked/file'), 'l');
  fs.symlinkSync(outside, path.join(dir, 'a/out'));
  await run('chown', ['-hR', `${uid}:${gid}`, dir]);
  fs.chmodSync(path.join(dir, 'ro'), 0o555);
  fs.chmodSync(path.join(dir, 'locked'), 0o000);
  fs.chmodSync(dir, 0o700);
  return dir;
}

t.test('the account empties the tree, read-only directories included; root removes only the empty top', async (t) => {
  const parent = sharedTempDir(t);
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  const outside = path.join(parent, 'root-owned');
  fs.mkdirSync(outside, { mode: 0o755 });
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'root data', { mode: 0o644 });
  const dir = await stagedTree(parent, tenant.user, tenant.uid, tenant.gid, outside);
  await removeTreeAs(dir, tenant.uid, tenant.gid);
  t.notOk(fs.existsSync(dir), 'the staging directory is gone');
  t.equal(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'root data', 'the symlink was removed, not followed');
  t.ok(fs.existsSync(tenant.home), 'the home beside it is untouched');
});

// Stands for a tenant who swaps a directory of the tree for a link to root's files while it is
// removed: whatever the walk reaches, it may only delete what the account itself may delete.
t.test('content the account may not delete survives, and the failure is reported', async (t) => {
  const parent = sharedTempDir(t);
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  const dir = await stagedTree(parent, tenant.user, tenant.uid, tenant.gid, '/etc');
  const guarded = path.join(dir, 'guarded');
  fs.mkdirSync(guarded, { mode: 0o755 });
  fs.writeFileSync(path.join(guarded, 'root.txt'), 'root data', { mode: 0o644 });
  await t.rejects(removeTreeAs(dir, tenant.uid, tenant.gid), { code: 'AGENT_E_INTERNAL', message: /emptying .* failed: .*EACCES/ });
  t.equal(fs.readFileSync(path.join(guarded, 'root.txt'), 'utf8'), 'root data', 'root-owned content is still there');
  t.notOk(fs.existsSync(path.join(dir, 'a/b/c.txt')), "the account's own files are gone");
  t.ok(fs.existsSync('/etc/passwd'), 'the link to /etc was not followed');
});
