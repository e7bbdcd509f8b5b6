// restore.create reading the snapshot from a destination, streamed: a scheduled snapshot whose
// spool copy is gone comes back from a local directory, s3rver and OpenSSH's sftp, compared with
// GNU find; a split snapshot comes back from its parts; a corrupted or truncated remote copy
// fails with AGENT_E_ARCHIVE_CORRUPT and a destination that is down with
// AGENT_E_DEST_UNAVAILABLE, both writing nothing; by default a bad copy is skipped for the next.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { RpcClient, RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, type Tenant } from '../helpers/tenant.ts';
import { waitForJob, type JobView } from '../helpers/backup-flow.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { startS3, type S3Peer } from '../peers/s3.ts';
import { SSHD, startSshd, type SshdPeer } from '../peers/sshd.ts';
import { createDestination } from '../../src/storage/index.ts';
import { treeListing, treeDifferences, type TreeEntry } from './tree-listing.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.setTimeout(300_000);
let s3: S3Peer | undefined;
let sshd: SshdPeer | undefined;
let why = existsSync(SSHD) ? '' : `${SSHD} not installed`;
try { s3 = await startS3(); } catch (err) { why ||= (err as Error).message; }
if (!why) {
  try { sshd = await startSshd(); } catch (err) { why = (err as Error).message; }
}
t.teardown(async () => { await s3?.close(); await sshd?.close(); });

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as RpcCallError);

function wipe(home: string): void {
  for (const n of fs.readdirSync(home)) fs.rmSync(path.join(home, n), { recursive: true, force: true });
}

/** The tree a restore must bring back: the live one without what backups leave out. */
async function expectedTree(home: string): Promise<Map<string, TreeEntry>> {
  return new Map([...(await treeListing(home))].filter(([p]) => !/^\.ssh\/id_/.test(p)));
}

interface Setup { c: RpcClient; d: Awaited<ReturnType<typeof startDaemon>>; tenant: Tenant; parent: string; localDir: string; specs: Record<string, Record<string, unknown>> }

async function setup(t: Parameters<typeof makeTenant>[0]): Promise<Setup> {
  const parent = sharedTempDir(t);
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false }, scheduler: { uploadAttempts: 2, uploadRetryBaseMs: 20 } } });
  const c = await d.admin();
  const tenant = await makeTenant(t, { profile: 'small', parent });
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const localDir = tempDir(t, 'hostagent-dest-');
  const specs: Record<string, Record<string, unknown>> = {
    here: { type: 'local', directory: localDir },
    bucket: { type: 's3', bucket: s3!.bucket, path: 'hosts/node1', endpoint: s3!.endpoint, protocol: 'http', forcePathStyle: true, accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey },
    remote: { type: 'sftp', host: '127.0.0.1', port: sshd!.port, user: sshd!.user.name, password: sshd!.user.password, hostKey: sshd!.hostKeyFingerprint, path: 'backups' },
  };
  for (const [name, spec] of Object.entries(specs)) await c.call('destination.put', { name, ...spec });
  return { c, d, tenant, parent, localDir, specs };
}

async function restore(s: Setup, params: Record<string, unknown>): Promise<JobView & { result: Record<string, unknown> | null }> {
  const { jobId } = await s.c.call<{ jobId: string }>('restore.create', { target: { mode: 'in-place' }, ...params });
  const job = await waitForJob(s.c, jobId, 180_000);
  return { ...job, result: s.d.daemon.store.jobs.get(jobId)?.result ?? null };
}

/** Puts a canary in the wiped home; a restore that must write nothing leaves it alone, alone. */
function canary(t: Test, home: string): () => void {
  const file = path.join(home, 'canary.txt');
  fs.writeFileSync(file, 'untouched');
  const before = fs.statSync(file).mtimeMs;
  return () => {
    t.same(fs.readdirSync(home), ['canary.txt'], 'nothing written into the home');
    t.equal(fs.statSync(file).mtimeMs, before, 'the canary is untouched');
  };
}

t.test('a scheduled snapshot without its spool copy comes back from local, s3 and sftp', async (t) => {
  if (!requirePeer(t, 'sshd + s3rver', !!sshd && !!s3, why)) return;
  const s = await setup(t);
  const expected = await expectedTree(s.tenant.home);
  await s.c.call('schedule.put', { id: 'nightly', cron: '0 3 * * *', target: { account: 'shop' }, scope: 'hosting', compression: 'gzip', destinations: ['here', 'bucket', 'remote'] });
  const run1 = await s.c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
  const backup = await waitForJob(s.c, run1.queued[0]!.jobId);
  t.equal(backup.status, 'succeeded', `${backup.errcode} ${backup.errtext}`);
  const snapshotId = backup.snapshotId!;
  const snap = s.d.daemon.store.snapshots.get(snapshotId)!;
  t.notOk(fs.existsSync(path.join(s.d.dir, 'spool', snap.parts[0]!)), 'the spool copy is gone');

  for (const from of ['here', 'bucket', 'remote']) {
    wipe(s.tenant.home);
    const job = await restore(s, { snapshotId, source: { destination: from } });
    t.equal(job.status, 'succeeded', `${from}: ${job.errcode} ${job.errtext}`);
    t.equal(job.result?.source, from, `${from}: read from it`);
    t.same(treeDifferences(expected, await treeListing(s.tenant.home)), [], `${from}: the tree is identical`);
  }

  wipe(s.tenant.home);
  const byDefault = await restore(s, { snapshotId });
  t.equal(byDefault.status, 'succeeded', `${byDefault.errcode} ${byDefault.errtext}`);
  t.equal(byDefault.result?.source, 'here', 'by default the first destination in storing order');

  // A corrupted copy (bytes overwritten in place), then a truncated one (re-uploaded short).
  const object = snap.parts[0]!;
  const good = fs.readFileSync(path.join(s.localDir, object));
  const corrupted = Buffer.from(good).fill(0x41, Math.floor(good.length / 2), Math.floor(good.length / 2) + 64);
  fs.writeFileSync(path.join(s.localDir, object), corrupted);
  const { type, ...bucketSettings } = s.specs.bucket!;
  const bucket = await createDestination({ name: 'bucket', type: type as string, settings: bucketSettings });
  await bucket.put(object, (await import('node:stream')).Readable.from([good.subarray(0, Math.floor(good.length * 0.7))]));
  await bucket.close();
  for (const from of ['here', 'bucket']) {
    wipe(s.tenant.home);
    const untouched = canary(t, s.tenant.home);
    const job = await restore(s, { snapshotId, source: { destination: from } });
    t.equal(job.errcode, 'AGENT_E_ARCHIVE_CORRUPT', `${from}: ${job.errtext}`);
    untouched();
    const staged = await restore(s, { snapshotId, source: { destination: from }, target: { mode: 'staging' } });
    t.equal(staged.errcode, 'AGENT_E_ARCHIVE_CORRUPT', `${from}, staging: ${staged.errtext}`);
    t.same(fs.readdirSync(s.parent).filter((n) => n.includes('-restore-')), [], `${from}: no staging directory`);
  }

  // By default the bad copies are skipped, reported, and the sound one is restored.
  wipe(s.tenant.home);
  const fallback = await restore(s, { snapshotId });
  t.equal(fallback.status, 'succeeded', `${fallback.errcode} ${fallback.errtext}`);
  t.equal(fallback.result?.source, 'remote');
  t.same(fallback.warnings.filter((w) => w.code === 'RESTORE_SOURCE_SKIPPED').map((w) => /AGENT_E_ARCHIVE_CORRUPT/.test(w.message)), [true, true], 'both bad copies reported');
  t.same(treeDifferences(expected, await treeListing(s.tenant.home)), [], 'the tree is identical');

  // A destination that is down: the retry policy runs out, nothing is written.
  await sshd!.stop();
  try {
    wipe(s.tenant.home);
    const untouched = canary(t, s.tenant.home);
    const down = await restore(s, { snapshotId, source: { destination: 'remote' } });
    t.equal(down.errcode, 'AGENT_E_DEST_UNAVAILABLE', down.errtext ?? '');
    untouched();
    const none = await restore(s, { snapshotId });
    t.equal(none.errcode, 'AGENT_E_DEST_UNAVAILABLE', 'no sound copy left: the last failure is reported');
    untouched();
  } finally {
    await sshd!.start();
  }

  t.equal((await fail(s.c.call('restore.create', { snapshotId, source: { destination: 'nowhere' } }))).data?.code, 'AGENT_E_NOT_FOUND', 'a destination without a copy is refused up front');
  const panel = await s.d.panel();
  await s.c.call('package.put', { name: 'p', tenantRestore: 'auto' });
  await s.c.call('account.put', { name: 'shop', uid: s.tenant.uid, gid: s.tenant.gid, home: s.tenant.home, package: 'p' });
  t.equal((await fail(panel.call('restore.create', { snapshotId, source: { destination: 'here' }, actor: { account: 'shop', session: 'panel-session-source' } }))).data?.code, 'AGENT_E_FORBIDDEN', 'tenants cannot choose the source');
});

t.test('a split snapshot comes back from its parts at a destination; agentctl restore --from', async (t) => {
  if (!requirePeer(t, 'sshd + s3rver', !!sshd && !!s3, why)) return;
  const s = await setup(t);
  const expected = await expectedTree(s.tenant.home);
  const { jobId, snapshotId } = await s.c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'shop', scope: 'hosting', splitSize: 1024, destinations: ['remote', 'bucket'] });
  const backup = await waitForJob(s.c, jobId);
  t.equal(backup.status, 'succeeded', `${backup.errcode} ${backup.errtext}`);
  const snap = s.d.daemon.store.snapshots.get(snapshotId)!;
  t.ok(snap.parts.length > 2, `split into ${snap.parts.length} parts`);
  for (const p of snap.parts) fs.rmSync(path.join(s.d.dir, 'spool', p));

  wipe(s.tenant.home);
  const job = await restore(s, { snapshotId });
  t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);
  t.equal(job.result?.source, 'remote');
  t.same(treeDifferences(expected, await treeListing(s.tenant.home)), [], 'the tree is identical');

  wipe(s.tenant.home);
  const sock = s.d.daemon.config.rpc.adminSocket;
  const cli = await agentctl(['--socket', sock, 'restore', snapshotId, '--in-place', '--from', 'bucket', '--wait']);
  t.equal(cli.status, 0, cli.stderr);
  t.match(cli.stdout, /^status\s+succeeded/m, 'agentctl restore --from bucket --wait');
  t.same(treeDifferences(expected, await treeListing(s.tenant.home)), [], 'agentctl --from bucket: the tree is identical');
});
