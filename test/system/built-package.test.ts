// The build that ships (scripts/build-shipped.ts, as packaging/build-deb.sh makes dist/) runs as
// JavaScript, so every child script and worker thread must be found as a .js file. A daemon
// started from a fresh build takes a snapshot with a mailbox and restores it in place: the file
// reader and its hashing thread, the home-facts and Maildir readers, the extractor and the mail
// writer all run from the build.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildShipped } from '../../scripts/build-shipped.ts';
import { RpcClient } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { makeMaildir, maildirFiles } from '../sources/mail/make-maildir.ts';
import { treeListing, treeDifferences } from '../restore/tree-listing.ts';

t.setTimeout(300_000);

if (requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) {
  t.test('a daemon built to JavaScript snapshots and restores an account', async (t) => {
    const build = buildShipped();
    t.teardown(() => build.remove());
    const entry = path.join(build.dir, 'bin/hostagentd.js');
    t.ok(fs.existsSync(path.join(build.dir, 'src/sources/files/walk-child.js')), 'the build holds the reader as JavaScript');
    t.notOk(fs.readdirSync(path.join(build.dir, 'src/sources/files')).some((n) => n.endsWith('.ts')), 'and no TypeScript');

    const parent = sharedTempDir(t);
    const tenant = await makeTenant(t, { profile: 'small', parent });
    const maildir = path.join(parent, `mail-${tenant.user}`, 'Maildir');
    makeMaildir(maildir, 30, { uid: tenant.uid, gid: tenant.gid });
    fs.chownSync(path.dirname(maildir), tenant.uid, tenant.gid);

    const dir = tempDir(t);
    writeDevConfig(dir);
    const d = spawnDaemon(t, ['--dev', dir], {}, entry);
    await d.waitForSocket();
    const admin = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
    t.teardown(() => admin.close());
    await admin.call('account.put', { name: 'built', uid: tenant.uid, gid: tenant.gid, home: tenant.home, mailboxes: [{ address: 'info@built.example', maildir }] });

    const tree = new Map([...(await treeListing(tenant.home))].filter(([p]) => !/^\.ssh\/id_/.test(p)));
    const mail = maildirFiles(maildir);
    const estimate = await admin.call<{ files: number }>('backup.estimate', { account: 'built' });
    t.ok(estimate.files > 0, `estimated ${estimate.files} files`);
    const { snapshot } = await backupAndWait(admin, { account: 'built', scope: 'full' });
    const listed = execFileSync('tar', ['-tzf', snapshot.path!], { maxBuffer: 64 << 20 }).toString().split('\n');
    t.ok(listed.some((n) => n.startsWith('files/')) && listed.some((n) => n.startsWith('mail/')), 'GNU tar lists files/ and mail/');

    for (const n of fs.readdirSync(tenant.home)) fs.rmSync(path.join(tenant.home, n), { recursive: true, force: true });
    for (const k of mail.keys()) fs.rmSync(path.join(maildir, k));
    const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files', 'mail'], target: { mode: 'in-place' } });
    const job = await waitForJob(admin, jobId);
    t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : 'the restore succeeded');
    t.same(treeDifferences(tree, await treeListing(tenant.home)), [], 'the home tree is back, identical');
    t.same(maildirFiles(maildir), mail, 'every message is back, byte for byte');
  });
}
