// GNU long names ('L' headers) in imported archives. One declaring 8 GiB is refused on its
// declared size before its body is read, whatever of it is really there; and since verify,
// import and restore share one tar reader, an archive whose 200-byte path only a GNU long
// name spells imports (verify reads the name) and restores to that same path.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { rawHeader, rawEntry, accountTar, manifestJson, END } from '../helpers/raw-tar.ts';
import { importTarget, importOutcome, writeGzip, MiB } from './import-bomb.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();
t.setTimeout(600_000);

const RSS_GROWTH = 100 * MiB;

t.test('a GNU long name declaring 8 GiB is refused as corrupt, the daemon not growing', async (t) => {
  const target = await importTarget(t, { archive: { maxExpansionRatio: 1_000_000 } });
  const head = rawEntry({ name: 'manifest.json' }, manifestJson());
  const bombs: Record<string, string> = {};
  for (const type of ['L', 'K']) {
    bombs[type] = path.join(target.work, `long-${type}.tar.gz`);
    // 256 MiB of the name really follow the header.
    await writeGzip(bombs[type], [head, rawHeader({ name: '././@LongLink', type, size: 8 ** 11 - 1 }), { byte: 0x61, bytes: 256 * MiB }, END]);
  }
  // An ordinary import first, so that the peak before the bombs includes reading an archive.
  const fine = path.join(target.work, 'ordinary.tar.gz');
  await writeGzip(fine, [accountTar([rawEntry({ name: 'files', type: '5' })])]);
  t.equal(await importOutcome(target.admin, fine), 'imported', 'an ordinary archive imports');
  const registered = await target.registered();
  const before = target.peakRss();
  const spool = target.spool();
  t.equal(await importOutcome(target.admin, bombs.L!), 'AGENT_E_ARCHIVE_CORRUPT', 'a long name (L) declaring 8 GiB');
  t.equal(await importOutcome(target.admin, bombs.K!), 'AGENT_E_ARCHIVE_CORRUPT', 'a long link (K) declaring 8 GiB');
  const after = target.peakRss();
  t.comment(`daemon VmHWM ${(before / MiB).toFixed(0)} MiB before, ${(after / MiB).toFixed(0)} MiB after`);
  t.ok(after - before < RSS_GROWTH, `the daemon's peak RSS grew by ${((after - before) / MiB).toFixed(0)} MiB, under ${RSS_GROWTH / MiB} MiB`);
  t.equal(await target.registered(), registered, 'nothing registered');
  t.same(target.spool(), spool, 'nothing left in the spool');
});

t.test('a 200-byte path written by GNU tar as a long name verifies, imports and restores', async (t) => {
  const target = await importTarget(t, { restore: { safetySnapshot: false } });
  const stage = path.join(target.work, 'stage');
  const rel = `${'a'.repeat(100)}/${'b'.repeat(93)}`;
  const name = `files/${rel}`;
  t.equal(name.length, 200);
  fs.mkdirSync(path.join(stage, 'files', 'a'.repeat(100)), { recursive: true });
  const manifest = JSON.stringify({ format: 'hostagent-account-full/1', kind: 'account_full', username: 'victim', snapshotId: 'longname', createdAt: new Date().toISOString(), parts: ['files'] });
  fs.writeFileSync(path.join(stage, 'manifest.json'), manifest);
  fs.writeFileSync(path.join(stage, name), 'long name content');
  const sum = (d: string) => createHash('sha256').update(d).digest('hex');
  fs.writeFileSync(path.join(stage, 'SHA256SUMS'), `${sum(manifest)}  manifest.json\n${sum('long name content')}  ${name}\n`);
  const archive = path.join(target.work, 'long-name.tar.gz');
  execFileSync('tar', ['--format=gnu', '--owner=0', '--group=0', '-czf', archive, '-C', stage, 'manifest.json', 'files', 'SHA256SUMS']);
  t.ok(execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n').includes(name), 'GNU tar lists the 200-byte path');
  const raw = execFileSync('gzip', ['-dc', archive]);
  t.ok(raw.includes('././@LongLink'), 'the path is spelled by a GNU long name header');

  const { snapshotId } = await target.admin.call<{ snapshotId: string }>('snapshot.import', { path: archive, account: 'victim' });
  const { jobId } = await target.admin.call<{ jobId: string }>('restore.create', { snapshotId, parts: ['files'], target: { mode: 'in-place' } });
  const job = await waitForJob(target.admin, jobId);
  t.equal(job.status, 'succeeded', 'the restore succeeded');
  const { home } = await target.admin.call<{ home: string }>('account.get', { name: 'victim' });
  t.equal(fs.readFileSync(path.join(home, rel), 'utf8'), 'long name content', 'the file is restored at its 200-byte path');
});
