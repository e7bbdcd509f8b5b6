// Mirrors Hestia GHSA-xffx-jj33-p2px: a low-privilege user's backup exclusions were parsed by a
// root script as code, and ran commands as root. Here every string a tenant can influence on
// the way into a backup is hostile: the account's excludes (set by the panel on the tenant's
// behalf), the note of a tenant's own snapshot, and the names of files in the home. They carry
// shell substitutions, GNU tar options and config-key injections. None may run: no marker file
// appears, the excludes act as plain globs, and GNU tar lists the hostile names literally.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, run, sharedTempDir } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read homes as them')) t.end();

t.test('hostile excludes, notes and file names are data, never code', async (t) => {
  const markers = sharedTempDir(t, 'hostagent-markers-');
  fs.chmodSync(markers, 0o777);
  const marker = (n: string) => path.join(markers, n);
  const payloads = (n: string) => [
    `$(touch ${marker(`${n}-subst`)})`,
    `\`touch ${marker(`${n}-backtick`)}\``,
    `x; touch ${marker(`${n}-semicolon`)}`,
    `--checkpoint-action=exec=touch ${marker(`${n}-tar`)}`,
    `key[$(touch ${marker(`${n}-key`)})]='x'`,
    `x\ntouch ${marker(`${n}-newline`)}`,
  ];
  const parent = sharedTempDir(t);
  const d = await startDaemon(t);
  const tenant = await makeTenant(t, { profile: 'small', parent });
  // File names the tenant chose, in its own home.
  const hostileNames = ['--checkpoint=1', '--checkpoint-action=exec=sh x', '$(id)', '`id`', 'a;b', 'new\nline'];
  for (const n of hostileNames) fs.writeFileSync(path.join(tenant.home, n), `content of ${JSON.stringify(n)}\n`);
  fs.writeFileSync(path.join(tenant.home, 'excluded.log'), 'excluded\n');
  await run('chown', ['-hR', `${tenant.uid}:${tenant.gid}`, tenant.home]);

  const admin = await d.admin();
  await admin.call('account.put', { name: 'hostile', uid: tenant.uid, gid: tenant.gid, home: tenant.home, excludes: [...payloads('exclude'), '*.log'] });
  const { jobId, snapshotId } = await admin.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'hostile', scope: 'hosting', note: payloads('note').join(' ') });
  const job = await waitForJob(admin, jobId);
  t.equal(job.status, 'succeeded', `the backup runs: ${job.errtext ?? ''}`);
  t.same(fs.readdirSync(markers), [], 'no payload ran');

  const snap = await admin.call<{ path: string; note?: string }>('snapshot.get', { snapshotId });
  const listing = (await run('tar', ['-tzf', snap.path], { maxBuffer: 64 << 20 })).stdout;
  for (const n of hostileNames.filter((x) => !x.includes('\n'))) t.ok(listing.split('\n').includes(`files/${n}`), `GNU tar lists ${JSON.stringify(n)} literally`);
  t.notOk(listing.includes('files/excluded.log'), 'a plain glob among the hostile excludes still applies');
  const out = sharedTempDir(t);
  await run('tar', ['-xzf', snap.path, '-C', out]);
  for (const n of hostileNames) t.equal(fs.readFileSync(path.join(out, 'files', n), 'utf8'), `content of ${JSON.stringify(n)}\n`, `${JSON.stringify(n)} comes back byte for byte`);
  t.same(fs.readdirSync(markers), [], 'still nothing ran after reading the archive back');
});
