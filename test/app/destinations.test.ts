// Destinations through the daemon: the admin API (secrets never echoed, probes), scheduled and
// on-demand snapshots copied to real peers (a local directory, s3rver, OpenSSH's sftp) and read
// back, and a destination that stays down failing the job without leaving anything listed.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant, run } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { startS3, type S3Peer } from '../peers/s3.ts';
import { SSHD, startSshd, type SshdPeer } from '../peers/sshd.ts';
import { createDestination } from '../../src/storage/index.ts';
import type { RpcClient } from '../../src/client/index.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

interface Location { destination: string; object: string; bytes: number; status: string }
interface Snapshot { snapshotId: string; sha256: string; bytes: number; parts: string[]; path?: string; locations: Location[] }

let s3: S3Peer | undefined;
let s3Why = '';
try { s3 = await startS3(); } catch (err) { s3Why = (err as Error).message; }
t.teardown(() => s3?.close());
const s3Settings = (over: Record<string, unknown> = {}) => ({
  type: 's3', bucket: s3!.bucket, path: 'hosts/node1', endpoint: s3!.endpoint, protocol: 'http', forcePathStyle: true,
  accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey, partSizeMB: 5, ...over,
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readBack(spec: { name: string; type: string; settings: Record<string, unknown> }, object: string): Promise<Buffer> {
  const dest = await createDestination(spec);
  try {
    const chunks: Buffer[] = [];
    for await (const c of await dest.get(object)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await dest.close();
  }
}

async function account(c: RpcClient, t: Parameters<typeof makeTenant>[0], name: string) {
  const tenant = await makeTenant(t);
  await c.call('account.put', { name, uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  return tenant;
}

t.test('destination API: validation, secrets never echoed, probes with classified failures', async (t) => {
  if (!requirePeer(t, 's3rver', !!s3, s3Why)) return;
  const d = await startDaemon(t);
  const c = await d.admin();
  const put = await c.call<{ settings: Record<string, unknown>; usedBy: string[] }>('destination.put', { name: 'offsite', ...s3Settings() });
  t.equal(put.settings.secretAccessKey, '***', 'the secret is hidden in the result');
  t.same([put.settings.bucket, put.settings.endpoint], [s3!.bucket, s3!.endpoint], 'other settings are shown');
  t.same(put.usedBy, []);
  const listed = await c.call<{ destinations: unknown[] }>('destination.list', {});
  t.equal(listed.destinations.length, 1);
  t.notOk(JSON.stringify([listed, await c.call('destination.get', { name: 'offsite' })]).includes(`"secretAccessKey":"${s3!.secretAccessKey}"`), 'get and list hide it too');
  t.equal(d.daemon.store.destinations.get('offsite')!.settings.secretAccessKey, s3!.secretAccessKey, 'the daemon keeps the real secret');

  const probe = await c.call<{ ok: boolean; latencyMs: number; steps: { step: string; ok: boolean }[] }>('destination.test', { name: 'offsite' });
  t.ok(probe.ok, 'write, read back and delete a probe');
  t.same(probe.steps.map((s) => [s.step, s.ok]), [['put', true], ['get', true], ['delete', true]]);
  t.ok(probe.latencyMs >= 0);

  await c.call('destination.put', { name: 'refused', ...s3Settings({ endpoint: '127.0.0.1:1' }) });
  const down = await c.call<{ ok: boolean; code: string; steps: { error?: { code: string } }[] }>('destination.test', { name: 'refused' });
  t.same([down.ok, down.code], [false, 'AGENT_E_DEST_UNREACHABLE'], 'an unreachable peer is classified');
  await c.call('destination.put', { name: 'badkey', ...s3Settings({ accessKeyId: 'NOTAKEY', secretAccessKey: 'wrong-secret-value' }) });
  const auth = await c.call<{ ok: boolean; code: string }>('destination.test', { name: 'badkey' });
  t.same([auth.ok, auth.code], [false, 'AGENT_E_DEST_AUTH'], 'bad credentials are classified');
  t.notOk(JSON.stringify(auth).includes('wrong-secret-value'), 'the probe result holds no secret');

  await t.rejects(c.call('destination.put', { name: 'bad', type: 's3', bucket: 'b' + 'x'.repeat(70) }), { message: /bucket/, data: { code: 'AGENT_E_INVALID', field: 'bucket' } }, 'settings are validated');
  await t.rejects(c.call('destination.put', { name: 'bad', type: 'local', directory: 'relative/dir' }), { message: /./, data: { code: 'AGENT_E_INVALID', field: 'directory' } });
  await t.rejects(c.call('destination.put', { name: 'bad', type: 'tape' }), { message: /./, rpcCode: -32602 });
  await t.rejects(c.call('destination.test', { name: 'nope' }), { message: /./, data: { code: 'AGENT_E_NOT_FOUND' } });
  t.equal(d.daemon.store.destinations.get('bad'), null, 'nothing stored from bad input');
});

t.test('a scheduled run reaches local, s3rver and sftp; every copy reads back', async (t) => {
  let sshd: SshdPeer | undefined;
  let why = !existsSync(SSHD) ? `${SSHD} not installed` : s3Why;
  if (!why) {
    try { sshd = await startSshd(); } catch (err) { why = (err as Error).message; }
  }
  if (!requirePeer(t, 'sshd + s3rver', !!sshd && !!s3, why)) return;
  t.teardown(() => sshd!.close());
  const d = await startDaemon(t);
  const c = await d.admin();
  await account(c, t, 'shop');
  const localDir = tempDir(t, 'hostagent-dest-');
  const specs = {
    here: { type: 'local', directory: localDir },
    bucket: s3Settings(),
    remote: { type: 'sftp', host: '127.0.0.1', port: sshd!.port, user: sshd!.user.name, password: sshd!.user.password, hostKey: sshd!.hostKeyFingerprint, path: 'backups' },
  };
  for (const [name, spec] of Object.entries(specs)) await c.call('destination.put', { name, ...spec });
  await c.call('schedule.put', { id: 'nightly', cron: '0 3 * * *', target: { account: 'shop' }, scope: 'hosting', compression: 'gzip', destinations: ['here', 'bucket', 'remote'] });
  const run1 = await c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
  t.equal(run1.queued.length, 1);
  const job = await waitForJob(c, run1.queued[0]!.jobId);
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId: job.snapshotId! });
  t.same(snap.locations.map((l) => [l.destination, l.object, l.bytes, l.status]).sort(),
    ['bucket', 'here', 'remote'].map((dn) => [dn, snap.parts[0], snap.bytes, 'stored']), 'snapshot.get lists every location');
  for (const [name, spec] of Object.entries(specs)) {
    const { type, ...settings } = spec;
    const bytes = await readBack({ name, type, settings }, snap.parts[0]!);
    t.equal(bytes.length, snap.bytes, `${name}: size`);
    t.equal(sha256(bytes), snap.sha256, `${name}: sha256`);
  }
  await t.resolves(run('tar', ['-tzf', path.join(localDir, snap.parts[0]!)]), 'GNU tar reads the copy');
  t.notOk(fs.existsSync(path.join(d.dir, 'spool', snap.parts[0]!)), 'no spool copy kept (keepLocalCopy false)');
});

t.test('backup.create with destinations: split parts each copied; the admin snapshot keeps its spool copy', async (t) => {
  const d = await startDaemon(t);
  const c = await d.admin();
  await account(c, t, 'blog');
  const localDir = tempDir(t, 'hostagent-dest-');
  await c.call('destination.put', { name: 'here', type: 'local', directory: localDir });
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'blog', scope: 'hosting', splitSize: 2048, destinations: ['here'] });
  const job = await waitForJob(c, jobId);
  t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
  const snap = await c.call<Snapshot>('snapshot.get', { snapshotId });
  t.ok(snap.parts.length > 1, `split into ${snap.parts.length} parts`);
  t.same(snap.locations.map((l) => l.object), snap.parts, 'one location per part, object named as the part');
  const joined = Buffer.concat(snap.parts.map((p) => fs.readFileSync(path.join(localDir, p))));
  t.equal(sha256(joined), snap.sha256, 'the parts at the destination join into the archive');
  for (const p of snap.parts) t.ok(fs.existsSync(path.join(d.dir, 'spool', p)), `spool keeps ${p}`);
  await t.rejects(c.call('backup.create', { account: 'blog', destinations: ['here', 'elsewhere'] }), { message: /./, data: { code: 'AGENT_E_NOT_FOUND', field: 'destinations.1' } }, 'an unknown destination is refused up front');
  await t.rejects(c.call('backup.create', { account: 'blog', destinations: ['here'], actor: { account: 'blog', session: 'session-123456' } }), { message: /./, data: { code: 'AGENT_E_FORBIDDEN' } }, 'tenants cannot pick destinations');
});

t.test('a destination that stays down fails the job with AGENT_E_DEST_UNAVAILABLE and leaves nothing listed', async (t) => {
  if (!requirePeer(t, 's3rver', !!s3, s3Why)) return;
  const d = await startDaemon(t, { config: { scheduler: { uploadAttempts: 2, uploadRetryBaseMs: 20 } } });
  const c = await d.admin();
  await account(c, t, 'shop');
  const localDir = tempDir(t, 'hostagent-dest-');
  await c.call('destination.put', { name: 'here', type: 'local', directory: localDir });
  await c.call('destination.put', { name: 'gone', ...s3Settings({ endpoint: '127.0.0.1:1' }) });
  await c.call('schedule.put', { id: 'nightly', cron: '@daily', target: { account: 'shop' }, scope: 'hosting', destinations: ['here', 'gone'] });
  const r = await c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
  const job = await waitForJob(c, r.queued[0]!.jobId);
  t.equal(job.status, 'failed');
  t.equal(job.errcode, 'AGENT_E_DEST_UNAVAILABLE');
  t.match(job.errtext, /after 2 attempts/);
  t.same((await c.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'shop' })).snapshots, [], 'no snapshot listed');
  t.same(fs.readdirSync(localDir).filter((n) => !n.startsWith('.')), [], 'the copy already made elsewhere was removed');
  t.same(fs.readdirSync(path.join(d.dir, 'spool')).filter((n) => n.includes(job.snapshotId!)), [], 'no spool files left');
});
