// restore.create end to end through a real daemon: in place over a wiped home, compared with
// GNU find; staging beside the home; a corrupted archive that writes nothing; a cancelled staging
// restore that leaves nothing; the approval flow for tenants; snapshot.import of an archive
// copied from elsewhere.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import type { RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer, hasCommand } from '../helpers/peer.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir, waitFor } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { treeListing, treeDifferences } from './tree-listing.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and write homes as them')) t.end();

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as RpcCallError);

function wipe(home: string): void {
  for (const n of fs.readdirSync(home)) fs.rmSync(path.join(home, n), { recursive: true, force: true });
}

/** A daemon, a tenant whose home is a sample account, and a `hosting` snapshot of it. */
async function snapshotted(t: Test, name: string, profile: 'small' | 'wordpress', opts: { config?: Record<string, unknown>; compression?: 'zstd' } = {}) {
  const parent = sharedTempDir(t);
  const d = await startDaemon(t, { config: opts.config });
  const tenant = await makeTenant(t, { profile, parent });
  const admin = await d.admin();
  await admin.call('account.put', { name, uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(admin, { account: name, scope: 'hosting', ...(opts.compression ? { compression: opts.compression } : {}) });
  return { parent, tenant, admin, snapshot };
}

t.test('in place over a wiped home: the tree comes back identical (small profile)', async (t) => {
  const { tenant, admin, snapshot } = await snapshotted(t, 'shop', 'small');
  const before = await treeListing(tenant.home);
  // What a backup leaves out by design (private SSH keys) is not expected back.
  const expected = new Map([...before].filter(([p]) => !/^\.ssh\/id_/.test(p)));
  t.ok(expected.size < before.size, 'the sample holds private keys the archive skips');

  wipe(tenant.home);
  fs.writeFileSync(path.join(tenant.home, 'after-snapshot.txt'), 'new');
  const { jobId, status } = await admin.call<{ jobId: string; status: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'in-place' } });
  t.equal(status, 'queued');
  const job = await waitForJob(admin, jobId);
  t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);
  const after = await treeListing(tenant.home);
  after.delete('after-snapshot.txt');
  t.same(treeDifferences(expected, after), [], 'paths, types, modes, mtimes, link targets and contents equal');
  t.equal(fs.readlinkSync(path.join(tenant.home, 'public_html/passwd-link')), '/etc/passwd', 'symlink restored as a link');
  const st = fs.statSync(path.join(tenant.home, 'public_html'));
  t.equal(st.uid, tenant.uid, 'owned by the account');

  const result = (await admin.call<{ snapshotId: string; jobId: string }>('job.get', { jobId })) as unknown as { snapshotId: string };
  t.equal(result.snapshotId, snapshot.snapshotId);
  const snaps = await admin.call<{ snapshots: { snapshotId: string; trigger: string }[] }>('snapshot.list', { account: 'shop' });
  t.ok(snaps.snapshots.some((s) => s.trigger === 'safety'), 'a safety snapshot was taken before the in-place restore');
});

t.test('staging goes beside the home, owned by the account', async (t) => {
  // zstd here (gzip elsewhere), so both decompressors of the extractor are exercised.
  const { parent, tenant, admin, snapshot } = await snapshotted(t, 'blog', 'small', { compression: 'zstd' });
  const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, target: { mode: 'staging' } });
  const job = await waitForJob(admin, jobId);
  t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);
  const staged = fs.readdirSync(parent).filter((n) => n.startsWith(`${tenant.user}-restore-`));
  t.equal(staged.length, 1, 'one staging directory');
  t.match(staged[0], new RegExp(`^${tenant.user}-restore-\\d{8}T\\d{6}Z$`));
  const dir = path.join(parent, staged[0]!);
  t.equal(fs.statSync(dir).uid, tenant.uid);
  t.equal(fs.readFileSync(path.join(dir, '.ssh/authorized_keys'), 'utf8'), fs.readFileSync(path.join(tenant.home, '.ssh/authorized_keys'), 'utf8'));
  const live = new Map([...(await treeListing(tenant.home))].filter(([p]) => !/^\.ssh\/id_/.test(p)));
  t.same(treeDifferences(live, await treeListing(dir)), [], 'the staged tree equals the live one');
  const snaps = await admin.call<{ snapshots: { trigger: string }[] }>('snapshot.list', { account: 'blog' });
  t.notOk(snaps.snapshots.some((s) => s.trigger === 'safety'), 'no safety snapshot for staging');
});

t.test('a corrupted or truncated archive fails with AGENT_E_ARCHIVE_CORRUPT and writes nothing', async (t) => {
  const { parent, tenant, admin, snapshot } = await snapshotted(t, 'corr', 'small', { config: { restore: { safetySnapshot: false } } });
  const file = (await admin.call<{ path: string }>('snapshot.get', { snapshotId: snapshot.snapshotId })).path;
  const original = fs.readFileSync(file);
  wipe(tenant.home);
  for (const [what, bytes] of [['truncated', original.subarray(0, Math.floor(original.length * 0.6))], ['corrupted', Buffer.from(original).fill(0x41, 4000, 4100)]] as const) {
    fs.writeFileSync(file, bytes);
    for (const mode of ['in-place', 'staging']) {
      const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, target: { mode } });
      const job = await waitForJob(admin, jobId);
      t.equal(job.errcode, 'AGENT_E_ARCHIVE_CORRUPT', `${what}, ${mode}: ${job.errtext}`);
    }
    t.same(fs.readdirSync(tenant.home), [], `${what}: nothing written in place`);
    t.same(fs.readdirSync(parent).filter((n) => n.includes('-restore-')), [], `${what}: no staging directory`);
  }
});

t.test('a staging restore cancelled while its files arrive leaves no staging directory', async (t) => {
  const { parent, tenant, admin, snapshot } = await snapshotted(t, 'wp', 'wordpress');
  const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'staging' } });
  const stagedNow = () => fs.readdirSync(parent).filter((n) => n.startsWith(`${tenant.user}-restore-`));
  // Cancel once files are being written into the staging directory.
  await waitFor(async () => {
    const j = await admin.call<{ status: string; progress?: { phase?: string; bytesDone?: number } }>('job.get', { jobId });
    if (j.status !== 'running' && j.status !== 'queued') throw new Error(`the restore ended (${j.status}) before it could be cancelled`);
    return j.progress?.phase === 'files' && (j.progress.bytesDone ?? 0) > 0 && stagedNow().length === 1 ? true : undefined;
  }, 120000, 'files arriving in the staging directory');
  await admin.call('job.cancel', { jobId });
  const job = await waitForJob(admin, jobId);
  t.equal(job.status, 'cancelled', `${job.errcode} ${job.errtext}`);
  t.same(job.warnings, [], 'removed without a warning');
  t.same(stagedNow(), [], 'the half-written staging directory is gone');
  t.ok(fs.existsSync(path.join(tenant.home, 'public_html')), 'the home is untouched');
});

t.test('tenants: approval, auto, disabled; events restore.pending and restore.finished', async (t) => {
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'empty' });
  fs.writeFileSync(path.join(tenant.home, 'index.html'), 'v1');
  fs.chownSync(path.join(tenant.home, 'index.html'), tenant.uid, tenant.gid);
  const admin = await d.admin();
  await admin.call('package.put', { name: 'p', tenantRestore: 'approval' });
  await admin.call('account.put', { name: 'ten', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'p' });
  await admin.call('account.put', { name: 'other', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(admin, { account: 'ten', scope: 'hosting' });
  fs.writeFileSync(path.join(tenant.home, 'index.html'), 'v2');
  const panel = await d.panel();
  const actor = { account: 'ten', session: 'panel-session-restore' };
  const events: { method: string; params: Record<string, unknown> }[] = [];
  panel.onNotification((method, params) => events.push({ method, params: params as Record<string, unknown> }));
  await panel.call('events.subscribe', { actor });

  const other = { account: 'other', session: 'panel-session-other' };
  t.equal((await fail(panel.call('restore.create', { snapshotId: snapshot.snapshotId, actor: other }))).data?.code, 'AGENT_E_NOT_FOUND', 'another tenant cannot see the snapshot');
  t.equal((await fail(panel.call('restore.create', { snapshotId: snapshot.snapshotId, target: { account: 'other', mode: 'staging' }, actor }))).data?.code, 'AGENT_E_FORBIDDEN');
  t.equal((await fail(panel.call('restore.approve', { jobId: 'x' }))).agentCode, 'AGENT_E_FORBIDDEN', 'approve is admin-only');

  const pending = await panel.call<{ jobId: string; status: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], target: { mode: 'in-place' }, actor });
  t.equal(pending.status, 'pending');
  await waitFor(() => events.find((e) => e.method === 'restore.pending' && e.params.jobId === pending.jobId), 30000, 'restore.pending');
  t.equal(fs.readFileSync(path.join(tenant.home, 'index.html'), 'utf8'), 'v2', 'nothing happens before approval');
  const waiting = await panel.call<{ status: string; kind: string; snapshotId: string }>('job.get', { jobId: pending.jobId, actor });
  t.same([waiting.status, waiting.kind, waiting.snapshotId], ['pending', 'restore', snapshot.snapshotId], 'job.get shows the request while it waits');
  t.equal((await fail(panel.call('job.get', { jobId: pending.jobId, actor: other }))).data?.code, 'AGENT_E_NOT_FOUND', 'not to another tenant');
  type Listed = { jobs: { jobId: string; status: string }[] };
  const listedPending = await admin.call<Listed>('job.list', { status: 'pending' });
  t.same(listedPending.jobs.map((j) => [j.jobId, j.status]), [[pending.jobId, 'pending']], 'job.list status=pending lists the request an admin must decide');
  t.ok((await admin.call<Listed>('job.list', { account: 'ten' })).jobs.some((j) => j.jobId === pending.jobId), 'an unfiltered job.list shows it too');
  t.same((await panel.call<Listed>('job.list', { actor: other, status: 'pending' })).jobs, [], 'not to another tenant');
  const shown = await agentctl(['--dev', d.dir, 'restore', 'pending']);
  t.equal(shown.status, 0, shown.stderr);
  t.match(shown.stdout, new RegExp(`^JOB\\s+ACCOUNT\\s+SNAPSHOT\\s+REQUESTED\\n${pending.jobId}\\s+ten\\s+${snapshot.snapshotId}\\s`, 'm'), 'agentctl restore pending shows it');
  await admin.call('restore.approve', { jobId: pending.jobId });
  t.equal((await fail(admin.call('restore.approve', { jobId: pending.jobId }))).data?.code, 'AGENT_E_CONFLICT', 'approved once only');
  const done = await waitForJob(panel, pending.jobId, 60000, actor);
  t.equal(done.status, 'succeeded', `${done.errcode} ${done.errtext}`);
  t.equal(fs.readFileSync(path.join(tenant.home, 'index.html'), 'utf8'), 'v1');
  await waitFor(() => events.find((e) => e.method === 'restore.finished' && e.params.jobId === pending.jobId && e.params.status === 'succeeded'), 30000, 'restore.finished');

  const second = await panel.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, actor });
  await admin.call('restore.reject', { jobId: second.jobId, reason: 'ask support first' });
  const rejected = await waitFor(() => events.find((e) => e.method === 'restore.finished' && e.params.jobId === second.jobId), 30000, 'rejected event');
  t.equal(rejected.params.errcode, 'AGENT_E_RESTORE_REJECTED');
  t.equal(rejected.params.reason, 'ask support first');
  const refused = await panel.call<{ status: string; errcode: string; errtext: string; finishedAt: string | null }>('job.get', { jobId: second.jobId, actor });
  t.same([refused.status, refused.errcode, refused.errtext], ['rejected', 'AGENT_E_RESTORE_REJECTED', 'ask support first'], 'job.get shows the refusal');
  t.ok(refused.finishedAt, 'with the time of the decision');
  t.same((await admin.call<Listed>('job.list', { status: 'rejected' })).jobs.map((j) => j.jobId), [second.jobId], 'job.list status=rejected lists the refusal');
  t.same((await admin.call<Listed>('job.list', { status: 'pending' })).jobs, [], 'nothing is pending once both were decided');

  await admin.call('package.put', { name: 'p', tenantRestore: 'auto' });
  const auto = await panel.call<{ jobId: string; status: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['files'], actor });
  t.equal(auto.status, 'queued', 'auto: runs without approval');
  t.equal((await waitForJob(panel, auto.jobId, 60000, actor)).status, 'succeeded');

  await admin.call('package.put', { name: 'p', tenantRestore: 'disabled' });
  t.equal((await fail(panel.call('restore.create', { snapshotId: snapshot.snapshotId, actor }))).data?.code, 'AGENT_E_FORBIDDEN');
});

t.test('snapshot.import registers an archive made elsewhere; a damaged one is refused', async (t) => {
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'small' });
  const admin = await d.admin();
  await admin.call('account.put', { name: 'mig', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(admin, { account: 'mig', scope: 'hosting' });
  const src = (await admin.call<{ path: string }>('snapshot.get', { snapshotId: snapshot.snapshotId })).path;
  const elsewhere = path.join(sharedTempDir(t), 'from-other-node.tar.gz');
  fs.copyFileSync(src, elsewhere);
  const imported = await admin.call<{ snapshotId: string; account: string }>('snapshot.import', { path: elsewhere });
  t.equal(imported.account, 'mig');
  t.not(imported.snapshotId, snapshot.snapshotId, 'a new id when the original is already known here');
  const got = await admin.call<{ sha256: string; trigger: string }>('snapshot.get', { snapshotId: imported.snapshotId });
  t.equal(got.sha256, snapshot.sha256);
  wipe(tenant.home);
  const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: imported.snapshotId, parts: ['files'], target: { mode: 'in-place' } });
  t.equal((await waitForJob(admin, jobId)).status, 'succeeded');
  t.ok(fs.existsSync(path.join(tenant.home, 'public_html')), 'restored from the imported copy');

  const damaged = path.join(path.dirname(elsewhere), 'damaged.tar.gz');
  fs.writeFileSync(damaged, fs.readFileSync(elsewhere).subarray(0, 5000));
  t.equal((await fail(admin.call('snapshot.import', { path: damaged }))).data?.code, 'AGENT_E_ARCHIVE_CORRUPT');
  const spoolFiles = () => fs.readdirSync(d.daemon.config.paths.spool).filter((n) => !n.startsWith('.work')).sort();
  const before = spoolFiles();

  // A split archive is imported from its first part; its parts stay parts.
  const split = (await backupAndWait(admin, { account: 'mig', scope: 'hosting', splitSize: 4096 })).snapshot;
  const partsDir = sharedTempDir(t);
  for (const p of split.parts) fs.copyFileSync(path.join(d.daemon.config.paths.spool, p), path.join(partsDir, p));
  await admin.call('snapshot.delete', { snapshotId: split.snapshotId });
  const first = path.join(partsDir, split.parts[0]!);
  t.equal((await fail(admin.call('snapshot.import', { path: path.join(partsDir, split.parts[1]!) }))).data?.code, 'AGENT_E_INVALID', 'a later part is refused');
  const fromParts = await admin.call<{ snapshotId: string; parts: number }>('snapshot.import', { path: first });
  t.equal(fromParts.parts, split.parts.length, `${split.parts.length} parts imported`);
  const reg = await admin.call<{ sha256: string; parts: string[] }>('snapshot.get', { snapshotId: fromParts.snapshotId });
  t.equal(reg.sha256, split.sha256, 'the parts join into the original archive');
  t.equal(reg.parts.length, split.parts.length);
  t.ok((await admin.call<{ ok: boolean }>('snapshot.verify', { snapshotId: fromParts.snapshotId })).ok, 'the imported parts verify');

  // A missing middle part: refused, and nothing is left in the spool.
  fs.rmSync(path.join(partsDir, split.parts[1]!));
  t.equal((await fail(admin.call('snapshot.import', { path: first }))).data?.code, 'AGENT_E_ARCHIVE_CORRUPT', 'an archive cut short by a missing part');
  t.same(spoolFiles().filter((n) => !before.includes(n) && !reg.parts.includes(n)), [], 'nothing staged is left behind');
});

t.test('a zone that does not pass named-checkzone is reported and never written', async (t) => {
  if (!requirePeer(t, 'named-checkzone', hasCommand('named-checkzone'), 'bind9-utils not installed')) return;
  const d = await startDaemon(t, { config: { restore: { safetySnapshot: false } } });
  const tenant = await makeTenant(t, { profile: 'empty' });
  const zoneDir = sharedTempDir(t, 'hostagent-zones-');
  const good = path.join(zoneDir, 'good.test.zone');
  const bad = path.join(zoneDir, 'bad.test.zone');
  fs.writeFileSync(good, '$TTL 300\n@ IN SOA ns1.good.test. h.good.test. ( 1 7200 3600 1209600 300 )\n  IN NS ns1.good.test.\nns1 IN A 192.0.2.1\n');
  fs.writeFileSync(bad, '$TTL 300\n@ IN SOA ns1.bad.test. h.bad.test. ( 1 7200 3600 1209600 300 )\nwww IN A not-an-address\n');
  const admin = await d.admin();
  await admin.call('account.put', { name: 'dns', uid: tenant.uid, gid: tenant.gid, home: tenant.home, zones: [{ name: 'good.test', file: good }, { name: 'bad.test', file: bad }] });
  const { snapshot } = await backupAndWait(admin, { account: 'dns', scope: 'configuration' });
  fs.writeFileSync(good, '; lost\n');
  fs.writeFileSync(bad, '; live copy\n');
  const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId: snapshot.snapshotId, parts: ['dns'], target: { mode: 'in-place' } });
  const job = await waitForJob(admin, jobId);
  t.equal(job.status, 'succeeded', `${job.errcode} ${job.errtext}`);
  t.match(fs.readFileSync(good, 'utf8'), /SOA ns1\.good\.test/, 'the valid zone is back');
  t.equal(fs.readFileSync(bad, 'utf8'), '; live copy\n', 'the invalid one was not written');
  t.ok(job.warnings.some((w) => w.code === 'RESTORE_DNS_INVALID' && /bad\.test/.test(w.message)), 'and is reported');
});
