// A tenant swaps a parent directory of its own Maildir for a symlink to another tenant's mail.
// The daemon used to learn the mailbox owner by lstat'ing the Maildir path, which followed the
// link: the mail was then read as the other tenant, into this tenant's download. The owner is
// now whoever decides the path (the tenant itself), and the Maildir is opened as that owner
// fd-relative with O_NOFOLLOW from a root-owned anchor: the export and the restore fail instead,
// with the owner left to its default or given as the account's uid, statically and when the
// swap races them in a loop.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { startSwapRacer } from './swap-racer.ts';
import { exportDirWith, exportOnce, restoreOnce, tenantMaildir, treeView } from './tenant-maildir.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read mail as them')) t.end();

t.test('a Maildir parent swapped for a link to another tenant\'s mail is never read or written as that tenant', async (t) => {
  const parent = sharedTempDir(t);
  const alice = await makeTenant(t, { profile: 'empty', parent });
  const bob = await makeTenant(t, { profile: 'empty', parent });
  const maildir = tenantMaildir(alice, 'ALICE-OWN-MAIL');
  tenantMaildir(bob, 'BOB-PRIVATE-MAIL');
  fs.chmodSync(path.join(bob.home, 'mail'), 0o700);
  const bobMail = path.join(bob.home, 'mail');
  const bobBefore = treeView(bobMail);
  const exportDir = await exportDirWith(t, sharedTempDir(t), 'RESTORED-MAIL', alice);

  for (const owner of [undefined, alice.uid]) {
    const plain = await exportOnce(t, maildir, owner);
    t.match(plain.text, /ALICE-OWN-MAIL/, `unswapped, the mailbox is exported (owner ${owner ?? 'default'})`);
  }

  const mail = path.join(alice.home, 'mail');
  fs.renameSync(mail, `${mail}.real`);
  fs.symlinkSync(bobMail, mail);
  fs.lchownSync(mail, alice.uid, alice.gid);
  for (const owner of [undefined, alice.uid]) {
    t.same(await exportOnce(t, maildir, owner), { code: 'AGENT_E_SOURCE_READ' }, `the swapped parent is not followed on export (owner ${owner ?? 'default'})`);
    t.equal(await restoreOnce(exportDir, maildir, owner), 'AGENT_E_INTERNAL', `nor on restore (owner ${owner ?? 'default'})`);
  }
  t.same(treeView(bobMail), bobBefore, 'the other tenant\'s mail is unchanged');
  fs.unlinkSync(mail);
  fs.renameSync(`${mail}.real`, mail);

  const racer = startSwapRacer(t, alice, alice.home, { mail: [bobMail] });
  const outcomes = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const owner = i % 2 ? alice.uid : undefined;
    const r = await exportOnce(t, maildir, owner);
    t.notMatch(r.text ?? '', /BOB-PRIVATE-MAIL/, 'the other tenant\'s mail never comes out');
    // A restore racing the swap may recreate `mail` as the tenant, with only restored mail in it.
    outcomes.add(r.code ?? (/ALICE-OWN-MAIL|RESTORED-MAIL/.test(r.text ?? '') ? 'exported' : 'other'));
    outcomes.add(await restoreOnce(exportDir, maildir, owner));
  }
  racer.stop();
  t.ok([...outcomes].every((o) => ['exported', 'written', 'AGENT_E_SOURCE_READ', 'AGENT_E_INTERNAL'].includes(o)), `raced outcomes: ${[...outcomes].join(', ')}`);
  t.same(treeView(bobMail), bobBefore, 'the other tenant\'s mail is unchanged after the races');
});
