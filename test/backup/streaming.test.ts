// Snapshots stream to real destinations while the archive is written: s3rver (5 MiB multipart
// parts), a local directory, OpenSSH's sftp, and split parts to s3rver, vsftpd and WebDAV. Copies are read back with sha256sum and GNU tar;
// peers killed mid-stream fail the run with AGENT_E_DEST_UNAVAILABLE and leave nothing listed;
// scheduler.streamOnly never puts the archive in the spool.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir, type InProcessDaemon } from '../helpers/daemon.ts';
import { makeTenant, run } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { startS3, type S3Peer } from '../peers/s3.ts';
import { SSHD, startSshd, type SshdPeer } from '../peers/sshd.ts';
import { VSFTPD, startFtp, type FtpPeer } from '../peers/ftp.ts';
import { startWebdav, type WebdavPeer } from '../peers/webdav.ts';
import { createDestination, RetryingDestination } from '../../src/storage/index.ts';
import type { RpcClient } from '../../src/client/index.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const MiB = 1024 * 1024;
const PARTIAL = '.hostagent-partial-';

interface Snapshot { snapshotId: string; sha256: string; bytes: number; parts: string[]; locations: { destination: string; object: string; bytes: number; status: string }[] }
type Spec = { type: string } & Record<string, unknown>;

let s3: S3Peer | undefined;
let sshd: SshdPeer | undefined;
let why = !existsSync(SSHD) ? `${SSHD} not installed` : '';
try { s3 = await startS3(); } catch (err) { why ||= (err as Error).message; }
if (!why) {
  try { sshd = await startSshd(); } catch (err) { why = (err as Error).message; }
}
t.teardown(async () => { await s3?.close(); await sshd?.close(); });

const s3Spec = (): Spec => ({
  type: 's3', bucket: s3!.bucket, path: 'stream', endpoint: s3!.endpoint, protocol: 'http', forcePathStyle: true,
  accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey, partSizeMB: 5,
});
let remoteSeq = 0;
/** An sftp destination in a directory of its own under the peer user's home. */
function sftpSpec(): { spec: Spec; dir: string } {
  const sub = `stream${++remoteSeq}`;
  return {
    spec: { type: 'sftp', host: '127.0.0.1', port: sshd!.port, user: sshd!.user.name, password: sshd!.user.password, hostKey: sshd!.hostKeyFingerprint, path: sub },
    dir: path.join(sshd!.user.home, sub),
  };
}

/** An account whose home holds `bytes` of incompressible data, so the archive is that large. */
async function bigAccount(c: RpcClient, t: Test, name: string, bytes: number): Promise<void> {
  const tenant = await makeTenant(t, { profile: 'empty' });
  const file = path.join(tenant.home, 'media.bin');
  const fd = fs.openSync(file, 'w', 0o644);
  for (let n = 0; n < bytes; n += MiB) fs.writeSync(fd, randomBytes(Math.min(MiB, bytes - n)));
  fs.closeSync(fd);
  fs.chownSync(file, tenant.uid, tenant.gid);
  await c.call('account.put', { name, uid: tenant.uid, gid: tenant.gid, home: tenant.home });
}

async function destinations(c: RpcClient, specs: Record<string, Spec>): Promise<void> {
  for (const [name, spec] of Object.entries(specs)) await c.call('destination.put', { name, ...spec });
}

function names(dir: string): string[] {
  try { return fs.readdirSync(dir); } catch { return []; }
}

/** A destination directory holds a partial object with bytes in it: an upload in progress. */
function uploading(dir: string): boolean {
  return names(dir).some((n) => n.startsWith(PARTIAL) && fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.size);
}

/** The finished archive (not its .partial) is in the spool. */
function archiveComplete(d: InProcessDaemon): boolean {
  return names(path.join(d.dir, 'spool')).some((n) => n.endsWith('.tar.gz'));
}

/** Calls `check` every 20 ms until the returned stop function is called. */
function every20ms(t: Test, check: () => void): () => void {
  const timer = setInterval(check, 20);
  const stop = () => clearInterval(timer);
  t.teardown(stop);
  return stop;
}

/** Reads objects back, joined in order into one file, and checks it with sha256sum and GNU tar. */
async function checkCopy(t: Test, name: string, spec: Spec, objects: string | string[], snap: Snapshot): Promise<void> {
  const { type, ...settings } = spec;
  const dest = await createDestination({ name, type, settings });
  const file = path.join(tempDir(t, 'hostagent-readback-'), 'archive.tar.gz');
  try {
    const out = fs.createWriteStream(file);
    for (const object of [objects].flat()) {
      for await (const c of await dest.get(object)) if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } finally {
    await dest.close();
  }
  const sum = (await run('sha256sum', [file])).stdout.split(' ')[0];
  t.equal(sum, snap.sha256, `${name}: sha256sum of the copy is the snapshot's`);
  const listing = (await run('tar', ['-tzf', file], { maxBuffer: 16 * MiB })).stdout.split('\n');
  t.ok(listing.includes('files/media.bin') && listing.includes('SHA256SUMS'), `${name}: GNU tar lists the archive`);
}

/** After a failed run: no snapshot listed, nothing at the other (local) destination, nothing in the spool. */
async function nothingLeft(t: Test, d: InProcessDaemon, c: RpcClient, localDir: string): Promise<void> {
  t.same((await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'media' })).snapshots, [], 'no snapshot listed');
  t.same(names(localDir), [], 'the other destination holds nothing, not even a partial');
  t.same(names(path.join(d.dir, 'spool')).filter((n) => n !== '.work'), [], 'the spool holds nothing');
}

async function listed(name: string, spec: Spec): Promise<string[]> {
  const { type, ...settings } = spec;
  const dest = new RetryingDestination(await createDestination({ name, type, settings }), { attempts: 6, baseDelayMs: 100 });
  try {
    return (await dest.list()).map((o) => o.name);
  } finally {
    await dest.close();
  }
}

t.test('uploads run while the archive is written: s3rver multipart, local and sftp copies read back', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 'sshd + s3rver', !!sshd && !!s3, why)) return;
  const d = await startDaemon(t);
  const c = await d.admin();
  await bigAccount(c, t, 'media', 40 * MiB);
  const localDir = tempDir(t, 'hostagent-dest-');
  const remote = sftpSpec();
  const specs = { here: { type: 'local', directory: localDir }, bucket: s3Spec(), remote: remote.spec };
  await destinations(c, specs);

  const parts: { part: number; archiveComplete: boolean }[] = [];
  s3!.onRequest((req) => {
    const m = /[?&]partNumber=(\d+)/.exec(req.url ?? '');
    if (req.method === 'PUT' && m) parts.push({ part: Number(m[1]), archiveComplete: archiveComplete(d) });
  });
  const seen = { here: false, remote: false };
  const stop = every20ms(t, () => {
    if (archiveComplete(d)) return;
    seen.here ||= uploading(localDir);
    seen.remote ||= uploading(remote.dir);
  });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'media', scope: 'hosting', destinations: ['here', 'bucket', 'remote'] });
  const job = await waitForJob(c, jobId);
  stop();
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId });
  t.ok(snap.bytes > 40 * MiB, `a ${snap.bytes}-byte archive`);

  t.ok(parts.length >= 8, `s3rver received ${parts.length} multipart parts of 5 MiB`);
  t.equal(parts[0]?.archiveComplete, false, 'the first multipart part reached s3rver while the archive was still being written');
  t.ok(seen.here, 'the local destination held a growing partial object before the archive was complete');
  t.ok(seen.remote, 'the sftp server held a growing partial object before the archive was complete');

  t.same(snap.locations.map((l) => [l.destination, l.object, l.bytes, l.status]).sort(),
    ['bucket', 'here', 'remote'].map((dn) => [dn, snap.parts[0], snap.bytes, 'stored']), 'one verified location per destination');
  for (const [name, spec] of Object.entries(specs)) await checkCopy(t, name, spec, snap.parts[0]!, snap);
  t.same(names(localDir).filter((n) => n.startsWith(PARTIAL)), [], 'no partial left at the local destination');
  t.same(names(remote.dir).filter((n) => n.startsWith(PARTIAL)), [], 'no partial left on the sftp server');
  t.ok(fs.existsSync(path.join(d.dir, 'spool', snap.parts[0]!)), 'an admin snapshot keeps its spool copy');
});

t.test('scheduler.streamOnly: a scheduled snapshot never touches the spool; S3 parts cut off are retried', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 's3rver', !!s3, why)) return;
  const d = await startDaemon(t, { config: { scheduler: { streamOnly: true } } });
  const c = await d.admin();
  await bigAccount(c, t, 'media', 24 * MiB);
  const localDir = tempDir(t, 'hostagent-dest-');
  const specs = { here: { type: 'local', directory: localDir }, bucket: s3Spec() };
  await destinations(c, specs);
  await c.call('schedule.put', { id: 'nightly', cron: '@daily', target: { account: 'media' }, scope: 'hosting', compression: 'gzip', destinations: ['here', 'bucket'] });
  const spool = path.join(d.dir, 'spool');
  const inSpool = new Set<string>();
  const stop = every20ms(t, () => { for (const n of names(spool)) if (n !== '.work') inSpool.add(n); });
  // Without a spool copy nothing can be sent again, so a blip must be absorbed part by part.
  s3!.cutUploads(2);
  const r = await c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
  const job = await waitForJob(c, r.queued[0]!.jobId);
  stop();
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  t.equal(s3!.armedCuts(), 0, 'two part uploads were cut off and retried');
  t.same([...inSpool], [], 'no archive file (not even a partial) appeared in the spool during the run');
  t.same(names(spool).filter((n) => n !== '.work'), [], 'and none is there afterwards');
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId: job.snapshotId! });
  t.same(snap.locations.map((l) => l.destination).sort(), ['bucket', 'here']);
  for (const [name, spec] of Object.entries(specs)) await checkCopy(t, name, spec, snap.parts[0]!, snap);
});

t.test('s3rver killed mid-stream with streamOnly: AGENT_E_DEST_UNAVAILABLE, nothing listed, no object left', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 's3rver', !!s3, why)) return;
  const d = await startDaemon(t, { config: { scheduler: { streamOnly: true } } });
  const c = await d.admin();
  await bigAccount(c, t, 'media', 40 * MiB);
  const localDir = tempDir(t, 'hostagent-dest-');
  const bucket = { ...s3Spec(), path: 'killed' };
  await destinations(c, { here: { type: 'local', directory: localDir }, bucket });
  await c.call('schedule.put', { id: 'nightly', cron: '@daily', target: { account: 'media' }, scope: 'hosting', destinations: ['here', 'bucket'] });
  let stopped: Promise<void> | undefined;
  s3!.onRequest((req) => {
    if (!stopped && req.method === 'PUT' && /[?&]partNumber=2\b/.test(req.url ?? '')) stopped = s3!.stop();
  });
  const r = await c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
  const job = await waitForJob(c, r.queued[0]!.jobId);
  t.ok(stopped, 's3rver was stopped while the second part was uploading');
  await stopped;
  await s3!.start();
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_DEST_UNAVAILABLE'], job.errtext ?? '');
  t.same(await listed('bucket', bucket), [], 'no object in the bucket once s3rver is back');
  await nothingLeft(t, d, c, localDir);
});

t.test('sftp killed mid-stream: sent again from the spool copy with backoff, then AGENT_E_DEST_UNAVAILABLE', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 'sshd', !!sshd, why)) return;
  const d = await startDaemon(t, { config: { scheduler: { uploadAttempts: 3, uploadRetryBaseMs: 50 } } });
  const c = await d.admin();
  await bigAccount(c, t, 'media', 40 * MiB);
  const localDir = tempDir(t, 'hostagent-dest-');
  const remote = sftpSpec();
  await destinations(c, { here: { type: 'local', directory: localDir }, remote: remote.spec });
  let stopped: Promise<void> | undefined;
  const stop = every20ms(t, () => { if (!stopped && uploading(remote.dir)) stopped = sshd!.stop(); });
  const { jobId } = await c.call<{ jobId: string }>('backup.create', { account: 'media', scope: 'hosting', destinations: ['here', 'remote'] });
  const job = await waitForJob(c, jobId);
  stop();
  t.ok(stopped, 'sshd was stopped while the object was streaming');
  await stopped;
  await sshd!.start();
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_DEST_UNAVAILABLE'], job.errtext ?? '');
  t.match(job.errtext, /after 3 attempts/);
  t.ok(d.logs.some((l) => l.msg === 'streamed upload failed; sending it again from the spool copy' && l.destination === 'remote'), 'the streamed failure fell back to the spool copy');
  t.equal(d.logs.filter((l) => l.msg === 'destination transfer failed; retrying' && l.destination === 'remote').length, 2, 'with two backoff waits between three attempts');
  t.same(await listed('remote', remote.spec), [], 'nothing listed on the sftp server');
  // sshd died mid-write, so its hidden partial could not be removed; it is never listed.
  t.ok(names(remote.dir).every((n) => n.startsWith(PARTIAL)), 'on the sftp server at most a hidden partial remains');
  await nothingLeft(t, d, c, localDir);
});

t.test('sftp down mid-stream and back: the object is sent again from the spool copy and the run succeeds', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 'sshd', !!sshd, why)) return;
  const d = await startDaemon(t, { config: { scheduler: { uploadAttempts: 10, uploadRetryBaseMs: 200 } } });
  const c = await d.admin();
  await bigAccount(c, t, 'media', 24 * MiB);
  const remote = sftpSpec();
  await destinations(c, { remote: remote.spec });
  let bounced: Promise<void> | undefined;
  const stop = every20ms(t, () => {
    if (!bounced && uploading(remote.dir)) bounced = sshd!.stop().then(() => new Promise((r) => setTimeout(r, 500))).then(() => sshd!.start());
  });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'media', scope: 'hosting', destinations: ['remote'] });
  const job = await waitForJob(c, jobId);
  stop();
  t.ok(bounced, 'sshd was restarted while the object was streaming');
  await bounced;
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  t.ok(d.logs.some((l) => l.msg === 'streamed upload failed; sending it again from the spool copy'), 'the streamed upload failed and was sent again');
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId });
  await checkCopy(t, 'remote', remote.spec, snap.parts[0]!, snap);
  t.same(await listed('remote', remote.spec), [snap.parts[0]], 'only the snapshot is listed');
  t.same(names(remote.dir), [snap.parts[0]], 'the partial the interrupted stream left on the server was removed');
});

t.test('split parts stream each as its own object to s3rver, vsftpd (one control connection) and WebDAV', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 's3rver', !!s3, why)) return;
  let ftp: FtpPeer | undefined;
  let dav: WebdavPeer | undefined;
  let peerWhy = !existsSync(VSFTPD) ? `${VSFTPD} not installed` : '';
  try {
    if (!peerWhy) ftp = await startFtp('none');
    dav = await startWebdav();
  } catch (err) { peerWhy = (err as Error).message; }
  t.teardown(async () => { await ftp?.close(); await dav?.close(); });
  if (!requirePeer(t, 'vsftpd + webdav-server', !!ftp && !!dav, peerWhy)) return;
  const d = await startDaemon(t);
  const c = await d.admin();
  await bigAccount(c, t, 'media', 20 * MiB);
  const specs: Record<string, Spec> = {
    bucket: { ...s3Spec(), path: 'split' },
    files: { type: 'ftp', host: '127.0.0.1', port: ftp!.port, user: ftp!.user.name, password: ftp!.user.password, path: 'backups', tls: 'none' },
    dav: { type: 'webdav', url: dav!.url, path: 'backups', username: dav!.username, password: dav!.password },
  };
  await destinations(c, specs);
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'media', scope: 'hosting', splitSize: 6 * 1024, destinations: Object.keys(specs) });
  const job = await waitForJob(c, jobId);
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId });
  t.equal(snap.parts.length, Math.ceil(snap.bytes / (6 * MiB)), `a ${snap.bytes}-byte archive in ${snap.parts.length} parts of 6 MiB`);
  t.ok(snap.parts.length >= 4, 'at least four parts');
  for (const [name, spec] of Object.entries(specs)) {
    t.same(snap.locations.filter((l) => l.destination === name).map((l) => l.object), snap.parts, `${name}: one location per part`);
    t.same((await listed(name, spec)).sort(), [...snap.parts].sort(), `${name}: exactly the parts are listed`);
    await checkCopy(t, name, spec, snap.parts, snap);
  }
});

t.test('a permanent failure (permission denied on the sftp server) is not retried: the run ends with its code', { timeout: 180_000 }, async (t) => {
  if (!requirePeer(t, 'sshd', !!sshd, why)) return;
  const d = await startDaemon(t, { config: { scheduler: { uploadAttempts: 3, uploadRetryBaseMs: 50 } } });
  const c = await d.admin();
  await bigAccount(c, t, 'media', 24 * MiB);
  const localDir = tempDir(t, 'hostagent-dest-');
  // A directory the sftp user may not write to.
  const locked = path.join(sshd!.user.home, `locked${++remoteSeq}`);
  fs.mkdirSync(locked, { mode: 0o555 });
  t.teardown(() => fs.rmSync(locked, { recursive: true, force: true }));
  await destinations(c, { here: { type: 'local', directory: localDir }, remote: { ...sftpSpec().spec, path: path.basename(locked) } });
  const { jobId } = await c.call<{ jobId: string }>('backup.create', { account: 'media', scope: 'hosting', destinations: ['here', 'remote'] });
  const job = await waitForJob(c, jobId);
  t.same([job.status, job.errcode], ['failed', 'AGENT_E_DEST_PERMISSION'], job.errtext ?? '');
  t.notOk(d.logs.some((l) => /sending it again|retrying/.test(String(l.msg))), 'no re-send and no retry');
  t.same(names(locked), [], 'nothing written on the server');
  await nothingLeft(t, d, c, localDir);
});
