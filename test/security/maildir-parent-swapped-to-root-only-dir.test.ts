// A tenant swaps a parent directory of its own Maildir for a symlink to a directory only root
// can read, holding a root-owned Maildir at the same relative place. The daemon used to learn
// the mailbox owner by lstat'ing the Maildir path through the link: uid 0, so the reader ran as
// root and root's mail went into the tenant's download. The owner is now whoever decides the
// path (never root), and the Maildir is opened as that owner fd-relative with O_NOFOLLOW: the
// export and the restore fail instead, statically and when the swap races them in a loop.
// account.put refuses a mailbox owner of 0 outright.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { startSwapRacer } from './swap-racer.ts';
import { exportDirWith, exportOnce, makeMarkedMaildir, restoreOnce, tenantMaildir, treeView } from './tenant-maildir.ts';
import { validateAccount } from '../../src/core/accounts/validate-account.ts';
import type { AgentError } from '../../src/errors/index.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read mail as them')) t.end();

t.test('a Maildir parent swapped for a link to a root-only directory is never read or written as root', async (t) => {
  const parent = sharedTempDir(t);
  const alice = await makeTenant(t, { profile: 'empty', parent });
  const maildir = tenantMaildir(alice, 'ALICE-OWN-MAIL');
  const rootMail = path.join(parent, 'root-mail');
  fs.mkdirSync(rootMail, { mode: 0o700 });
  makeMarkedMaildir(path.join(rootMail, 'box', 'Maildir'), 'ROOT-ONLY-MAIL', null);
  const rootBefore = treeView(rootMail);
  const exportDir = await exportDirWith(t, sharedTempDir(t), 'RESTORED-MAIL', alice);

  const mail = path.join(alice.home, 'mail');
  fs.renameSync(mail, `${mail}.real`);
  fs.symlinkSync(rootMail, mail);
  fs.lchownSync(mail, alice.uid, alice.gid);
  for (const owner of [undefined, alice.uid]) {
    t.same(await exportOnce(t, maildir, owner), { code: 'AGENT_E_SOURCE_READ' }, `the swapped parent is not followed on export (owner ${owner ?? 'default'})`);
    t.equal(await restoreOnce(exportDir, maildir, owner), 'AGENT_E_INTERNAL', `nor on restore (owner ${owner ?? 'default'})`);
  }
  t.same(treeView(rootMail), rootBefore, 'root\'s directory is unchanged');
  fs.unlinkSync(mail);
  fs.renameSync(`${mail}.real`, mail);

  const racer = startSwapRacer(t, alice, alice.home, { mail: [rootMail] });
  const outcomes = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const owner = i % 2 ? alice.uid : undefined;
    const r = await exportOnce(t, maildir, owner);
    t.notMatch(r.text ?? '', /ROOT-ONLY-MAIL/, 'root\'s mail never comes out');
    // A restore racing the swap may recreate `mail` as the tenant, with only restored mail in it.
    outcomes.add(r.code ?? (/ALICE-OWN-MAIL|RESTORED-MAIL/.test(r.text ?? '') ? 'exported' : 'other'));
    outcomes.add(await restoreOnce(exportDir, maildir, owner));
  }
  racer.stop();
  t.ok([...outcomes].every((o) => ['exported', 'written', 'AGENT_E_SOURCE_READ', 'AGENT_E_INTERNAL'].includes(o)), `raced outcomes: ${[...outcomes].join(', ')}`);
  t.same(treeView(rootMail), rootBefore, 'root\'s directory is unchanged after the races');

  for (const owner of [0, 'root'] as const) {
    const err = (() => {
      try {
        validateAccount({ name: 'alice', uid: alice.uid, gid: alice.gid, home: alice.home, mailboxes: [{ address: 'box@example.com', maildir, owner }] }, () => true);
        return null;
      } catch (e) {
        return e as AgentError;
      }
    })();
    t.equal(err?.code, 'AGENT_E_INVALID', `account.put refuses mailbox owner ${JSON.stringify(owner)}`);
    t.match(err?.message, /mailboxes\.0\.owner/);
  }
});
