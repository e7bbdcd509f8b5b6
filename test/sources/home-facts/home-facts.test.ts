// Home facts are learned by a child acting as the account: file counts, and the git HEAD of each
// docroot, read fd-relative without following a symlink anywhere on the way.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { IS_ROOT, requirePeer } from '../../helpers/peer.ts';
import { makeTenant, sharedTempDir } from '../../helpers/tenant.ts';
import { homeFacts } from '../../../src/sources/home-facts/home-facts.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read as them')) t.end();

const MAIN = 'a'.repeat(40);
const PACKED = 'b'.repeat(40);
const OTHER = 'c'.repeat(40);

function gitDir(dir: string, head: string, refs: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'HEAD'), head);
  for (const [ref, commit] of Object.entries(refs)) {
    fs.mkdirSync(path.dirname(path.join(dir, ref)), { recursive: true });
    fs.writeFileSync(path.join(dir, ref), `${commit}\n`);
  }
}

t.test('git HEADs of docroots come from the account\'s own tree, never through a symlink', async (t) => {
  const parent = sharedTempDir(t);
  const tenant = await makeTenant(t, { profile: 'empty', parent });
  const other = await makeTenant(t, { profile: 'empty', parent });
  gitDir(path.join(tenant.home, 'site', '.git'), 'ref: refs/heads/main\n', { 'refs/heads/main': MAIN });
  gitDir(path.join(tenant.home, 'packed', '.git'), 'ref: refs/heads/prod\n', {});
  fs.writeFileSync(path.join(tenant.home, 'packed', '.git', 'packed-refs'), `# pack-refs\n${PACKED} refs/heads/prod\n`);
  // Another tenant's readable work tree, and links to it from this home.
  gitDir(path.join(other.home, 'site', '.git'), 'ref: refs/heads/main\n', { 'refs/heads/main': OTHER });
  fs.mkdirSync(path.join(tenant.home, 'linked'));
  fs.symlinkSync(path.join(other.home, 'site', '.git'), path.join(tenant.home, 'linked', '.git'));
  fs.symlinkSync(path.join(other.home, 'site'), path.join(tenant.home, 'via-link'));
  for (const who of [tenant, other]) execFileSync('chown', ['-hR', `${who.uid}:${who.gid}`, who.home]);

  const facts = await homeFacts({ home: tenant.home, uid: tenant.uid, gid: tenant.gid, docroots: ['site', 'packed', 'linked', 'via-link', 'missing'] });
  t.same(facts.gitHeads, {
    site: { ref: 'refs/heads/main', commit: MAIN },
    packed: { ref: 'refs/heads/prod', commit: PACKED },
  }, 'own work trees only; links to another tenant\'s are not followed');
  t.ok(facts.files >= 4, `files counted: ${facts.files}`);
  t.ok(facts.bytes > 0);

  const notOwner = await homeFacts({ home: tenant.home, uid: other.uid, gid: other.gid, docroots: [] }).catch((e: Error & { code?: string }) => e);
  t.equal((notOwner as { code?: string }).code, 'AGENT_E_SOURCE_READ', 'a home decided by another uid is refused');
});
