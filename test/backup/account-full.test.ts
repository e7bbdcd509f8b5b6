import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, run, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob, type SnapshotView } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and read homes as them')) t.end();

const sha256File = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

t.test('account_full through the daemon: GNU tar order, sha256sum -c, manifest, listed only when complete', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, docroots: ['public_html'], excludes: ['logs/*.log'] });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop', note: 'before upgrade' });
  // Until the job succeeds, the snapshot is not listed.
  await waitFor(async () => {
    // The list first: a job still unfinished after it was taken was unfinished when it was taken.
    const list = await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'shop' });
    const job = await c.call<{ status: string }>('job.get', { jobId });
    if (job.status !== 'succeeded') t.equal(list.snapshots.length, 0, `not listed while ${job.status}`);
    return job.status === 'succeeded' ? true : undefined;
  });
  const snap = await c.call<SnapshotView>('snapshot.get', { snapshotId });
  t.equal(sha256File(snap.path!), snap.sha256, 'recorded sha256 is the file\'s');
  t.equal(fs.statSync(snap.path!).size, snap.bytes);
  const listing = (await run('tar', ['-tzf', snap.path!], { maxBuffer: 64 << 20 })).stdout.trim().split('\n');
  t.equal(listing[0], 'manifest.json', 'manifest.json first');
  t.equal(listing.at(-1), 'SHA256SUMS', 'SHA256SUMS last');
  t.ok(listing.includes('files/.ssh/authorized_keys'));
  t.notOk(listing.some((l) => /id_rsa|id_ed25519/.test(l)), 'no SSH private keys');
  t.notOk(listing.some((l) => l.startsWith('files/logs/access.log')), 'account excludes apply');
  const out = sharedTempDir(t);
  await run('tar', ['-xzf', snap.path!, '-C', out]);
  await t.resolves(run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out }), 'sha256sum -c passes');
  t.equal(fs.readlinkSync(path.join(out, 'files/public_html/passwd-link')), '/etc/passwd', 'symlink archived as a link');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  for (const k of ['format', 'kind', 'username', 'snapshotId', 'createdAt', 'host', 'agentVersion', 'trigger', 'note', 'parts', 'exclusions', 'docroots']) t.ok(k in manifest, `manifest has ${k}`);
  t.equal(manifest.snapshotId, snapshotId);
  t.equal(manifest.account.name, 'shop', 'the account definition travels in the manifest');
  t.equal(manifest.account.uid, tenant.uid);
  t.equal(manifest.note, 'before upgrade');
  t.same(manifest.docroots.public_html, { ref: 'refs/heads/main', commit: 'aaaaaaaa0123456789abcdef0123456789abcdef' }, 'git HEAD of the docroot');
  t.match(path.basename(snap.path!), new RegExp(`^shop_account_full_\\d{8}T\\d{6}Z_${snapshotId}\\.tar\\.gz$`));
  const verify = await c.call<{ ok: boolean; sha256: string }>('snapshot.verify', { snapshotId });
  t.same([verify.ok, verify.sha256], [true, snap.sha256]);
});

t.test('scopes produce exactly their parts; zstd and split archives', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const zoneDir = sharedTempDir(t);
  const zone = path.join(zoneDir, 'shop.example.zone');
  fs.writeFileSync(zone, '$TTL 3600\n@ IN SOA ns1.shop.example. admin.shop.example. 1 7200 3600 1209600 3600\n@ IN NS ns1.shop.example.\nns1 IN A 192.0.2.1\n');
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home, zones: [{ name: 'shop.example', file: zone }] });
  const top = async (snap: SnapshotView, flag: string) =>
    [...new Set((await run('tar', [flag, '-tf', snap.path!], { maxBuffer: 64 << 20 })).stdout.trim().split('\n').map((l) => l.split('/')[0]))];
  const hosting = (await backupAndWait(c, { account: 'shop', scope: 'hosting' })).snapshot;
  t.same(await top(hosting, '-z'), ['manifest.json', 'files', 'dns', 'warnings.json', 'SHA256SUMS']);
  const config = (await backupAndWait(c, { account: 'shop', scope: 'configuration' })).snapshot;
  t.same(await top(config, '-z'), ['manifest.json', 'dns', 'warnings.json', 'SHA256SUMS'], 'configuration: manifest (with the account definition) and dns');
  const mail = (await backupAndWait(c, { account: 'shop', scope: 'mail' })).snapshot;
  t.same(await top(mail, '-z'), ['manifest.json', 'warnings.json', 'SHA256SUMS'], 'mail scope of an account without mailboxes holds no other part');
  const zstd = (await backupAndWait(c, { account: 'shop', compression: 'zstd' })).snapshot;
  t.match(zstd.path!, /\.tar\.zst$/);
  await t.resolves(run('zstd', ['-t', '-q', zstd.path!]), 'zstd -t');
  t.ok((await top(zstd, '--zstd')).includes('files'));
  const split = (await backupAndWait(c, { account: 'shop', splitSize: 4096 })).snapshot;
  t.ok(split.parts.length > 1, `split into ${split.parts.length} parts`);
  t.match(split.parts[0], /\.tar\.gz\.part001$/);
  const joined = path.join(sharedTempDir(t), 'joined.tar.gz');
  await run('sh', ['-c', `cat "$@" > ${joined}`, 'sh', ...split.parts.map((p) => path.join(d.daemon.config.paths.spool, p))]);
  t.equal(sha256File(joined), split.sha256, 'cat of the parts is the recorded archive');
  const v = await c.call<{ ok: boolean }>('snapshot.verify', { snapshotId: split.snapshotId });
  t.ok(v.ok, 'split archive verifies');
});

t.test('archive.gzipLevel sets the deflate level of compressible content', async (t) => {
  const tenant = await makeTenant(t);
  const sizes: number[] = [];
  for (const gzipLevel of [1, 9]) {
    const d = await startDaemon(t, { config: { archive: { gzipLevel } } });
    const c = await d.admin();
    await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
    const { snapshot } = await backupAndWait(c, { account: 'shop' });
    await t.resolves(run('gzip', ['-t', snapshot.path!]), `level ${gzipLevel}: gzip -t`);
    sizes.push(snapshot.bytes);
  }
  t.ok(sizes[1]! < sizes[0]! * 0.97, `level 9 (${sizes[1]} bytes) is smaller than level 1 (${sizes[0]} bytes)`);
});

t.test('verify detects corruption; delete removes the files', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t);
  const c = await d.admin();
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(c, { account: 'shop' });
  const fd = fs.openSync(snapshot.path!, 'r+');
  const mid = Math.floor(snapshot.bytes / 2);
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, mid);
  b[0] = b[0]! ^ 0xff;
  fs.writeSync(fd, b, 0, 1, mid);
  fs.closeSync(fd);
  const err = await c.call('snapshot.verify', { snapshotId: snapshot.snapshotId }).catch((e: unknown) => e) as RpcCallError;
  t.equal(err.agentCode, 'AGENT_E_ARCHIVE_CORRUPT');
  await c.call('snapshot.delete', { snapshotId: snapshot.snapshotId });
  t.notOk(fs.existsSync(snapshot.path!), 'archive removed');
  const gone = await c.call('snapshot.get', { snapshotId: snapshot.snapshotId }).catch((e: unknown) => e) as RpcCallError;
  t.equal(gone.agentCode, 'AGENT_E_NOT_FOUND');
});

t.test('wordpress profile: estimate, progress at most twice a second, cancel leaving no partial file', async (t) => {
  const d = await startDaemon(t);
  const tenant = await makeTenant(t, { profile: 'wordpress' });
  const c = await d.admin();
  await c.call('account.put', { name: 'big', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const est = await c.call<{ files: number; bytes: number }>('backup.estimate', { account: 'big' });
  t.ok(est.files > 20000 && est.bytes > 1e9, `estimate sees ${est.files} files, ${est.bytes} bytes`);
  const progressAt: number[] = [];
  c.onNotification((m) => { if (m === 'job.progress') progressAt.push(Date.now()); });
  await c.call('events.subscribe', { types: ['job.progress'] });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'big' });
  await waitFor(async () => ((await c.call<{ status: string }>('job.get', { jobId })).status === 'running' ? true : undefined));
  await waitFor(() => (fs.readdirSync(d.daemon.config.paths.spool).some((n) => n.includes(snapshotId)) ? true : undefined), 30000, 'partial file');
  await waitFor(() => (progressAt.length >= 4 ? true : undefined), 30000, 'progress events');
  const gaps = progressAt.slice(1).map((at, i) => at - progressAt[i]!);
  t.ok(Math.min(...gaps) >= 400, `progress at most twice a second (smallest gap ${Math.min(...gaps)} ms)`);
  // job.cancel answers once the job has stopped: one that ignored the abort would first finish its snapshot, listed below.
  const job = await c.call<{ status: string; errcode: string }>('job.cancel', { jobId });
  t.equal(job.status, 'cancelled');
  t.equal(job.errcode, 'AGENT_E_CANCELLED');
  t.same(fs.readdirSync(d.daemon.config.paths.spool).filter((n) => n.includes(snapshotId)), [], 'no partial files');
  t.same(fs.readdirSync(path.join(d.daemon.config.paths.spool, '.work')), [], 'no scratch files');
  t.same((await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'big' })).snapshots, []);
  const { stdout } = await run('ps', ['-eo', 'user:32,args']);
  t.notMatch(stdout, new RegExp(`^${tenant.user}\\s`, 'm'), 'no child of the job still runs as the tenant');
});

t.test('account.put names every problem at once', async (t) => {
  const d = await startDaemon(t);
  const c = await d.admin();
  const err = await c.call('account.put', { name: 'bad', uid: 0, gid: 0, home: '/nonexistent/home', package: 'gold', docroots: ['../x'] }).catch((e: unknown) => e) as RpcCallError;
  t.equal(err.agentCode, 'AGENT_E_INVALID');
  const fields = (err.data?.problems as { field: string }[]).map((p) => p.field).sort();
  t.same(fields, ['docroots.0', 'gid', 'home', 'package', 'uid']);
  const tenant = await makeTenant(t, { profile: 'empty' });
  const notOwner = await c.call('account.put', { name: 'x', uid: tenant.uid + 1, gid: tenant.gid, home: tenant.home }).catch((e: unknown) => e) as RpcCallError;
  t.match(notOwner.message, /home: .* is owned by uid \d+, not \d+/);
});
