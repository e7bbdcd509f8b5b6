// Retention after a successful scheduled run, on backdated snapshots at a real local
// destination: grandfather-father-son selection, pending_deletion then removal, a copy whose
// delete fails staying pending, and the refusal to remove every snapshot (logged, published and
// sent to the notification URLs).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import type { AgentEvent } from '../../src/core/events/event-bus.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant } from '../helpers/tenant.ts';
import { waitForJob } from '../helpers/backup-flow.ts';
import { waitFor } from '../helpers/tenant.ts';
import { startReceiver } from '../notify/receiver.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const NOW = Date.parse('2026-06-10T03:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function setup(t: Test, retention: Record<string, number>, config: Record<string, unknown> = {}) {
  const clock = new ManualClock(NOW);
  const d = await startDaemon(t, { clock, config: { scheduler: { uploadAttempts: 2, uploadRetryBaseMs: 20 }, ...config } });
  const c = await d.admin();
  const tenant = await makeTenant(t, { profile: 'empty' });
  await c.call('account.put', { name: 'shop', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const dir = tempDir(t, 'hostagent-dest-');
  await c.call('destination.put', { name: 'here', type: 'local', directory: dir });
  await c.call('schedule.put', { id: 'nightly', cron: '0 3 * * *', target: { account: 'shop' }, scope: 'configuration', destinations: ['here'], retention });
  const events: AgentEvent[] = [];
  d.daemon.events.subscribe({ id: 'probe', account: null, types: null, deliver: (e) => events.push(e) });
  /** A snapshot this schedule made `age` ms ago, with its object at the destination. */
  const backdate = (id: string, age: number) => {
    const object = `shop_account_full_old_${id}.tar.gz`;
    fs.writeFileSync(path.join(dir, object), `old archive ${id}`);
    d.daemon.store.snapshots.insert({
      id, account: 'shop', kind: 'account_full', scope: 'configuration', trigger: 'schedule', jobId: null, note: null, compression: 'gzip',
      bytes: 15, sha256: '0'.repeat(64), files: 1, parts: [object], manifest: {}, temporary: false, createdAt: NOW - age, expiresAt: null,
    });
    d.daemon.store.snapshots.addLocation(id, { destination: 'here', object, bytes: 15, status: 'stored', storedAt: NOW - age });
    d.daemon.store.schedules.recordRun({ scheduleId: 'nightly', account: 'shop', jobId: `job-${id}`, snapshotId: id, firedAt: NOW - age });
    return object;
  };
  const runNow = async () => {
    const r = await c.call<{ queued: { jobId: string }[] }>('schedule.run', { id: 'nightly' });
    const job = await waitForJob(c, r.queued[0]!.jobId);
    t.equal(job.status, 'succeeded', job.errcode ? `${job.errcode} ${job.errtext}` : `job ${job.status}`);
    return job.snapshotId!;
  };
  return { d, c, dir, events, backdate, runNow };
}

t.test('keepLast 1 + keepDaily 3: the newest of each of 3 days stay, the rest leave the destination', async (t) => {
  const { d, c, dir, backdate, runNow } = await setup(t, { keepLast: 1, keepDaily: 3 });
  const objects = {
    d1: backdate('d1', DAY),
    d1early: backdate('d1early', DAY + HOUR),
    d2: backdate('d2', 2 * DAY),
    d10: backdate('d10', 10 * DAY),
  };
  const newest = await runNow();
  const ids = (await c.call<{ snapshots: { snapshotId: string }[] }>('snapshot.list', { account: 'shop' })).snapshots.map((s) => s.snapshotId);
  t.same(ids, [newest, 'd1', 'd2'], 'today, yesterday\'s newest and the day before stay listed');
  t.ok(fs.existsSync(path.join(dir, objects.d1)) && fs.existsSync(path.join(dir, objects.d2)), 'kept copies stay at the destination');
  t.notOk(fs.existsSync(path.join(dir, objects.d1early)), 'an older copy of the same day is deleted');
  t.notOk(fs.existsSync(path.join(dir, objects.d10)), 'the 10-day-old copy is deleted');
  t.equal(d.daemon.store.snapshots.get('d10'), null, 'a snapshot with no copy left is no longer listed');
  const fresh = d.daemon.store.snapshots.get(newest)!;
  t.ok(fs.existsSync(path.join(dir, fresh.parts[0]!)), 'the new snapshot is at the destination');
});

t.test('a copy whose delete fails stays pending_deletion, visible in snapshot.get', async (t) => {
  const { c, dir, backdate, runNow } = await setup(t, { keepLast: 1 });
  const stuck = backdate('stuck', 5 * DAY);
  // A non-empty directory where the object should be: the destination cannot delete it.
  fs.rmSync(path.join(dir, stuck));
  fs.mkdirSync(path.join(dir, stuck));
  fs.writeFileSync(path.join(dir, stuck, 'x'), 'x');
  await runNow();
  const s = await c.call<{ locations: { destination: string; status: string }[] }>('snapshot.get', { snapshotId: 'stuck' });
  t.same(s.locations.map((l) => [l.destination, l.status]), [['here', 'pending_deletion']]);
  // Once the destination can delete it again, the next run finishes the job.
  fs.rmSync(path.join(dir, stuck), { recursive: true });
  await runNow();
  await t.rejects(c.call('snapshot.get', { snapshotId: 'stuck' }), { message: /stuck/, data: { code: 'AGENT_E_NOT_FOUND' } }, 'gone once deleted');
});

t.test('a policy that would remove every snapshot is refused, logged, published and notified', async (t) => {
  const rx = await startReceiver(t);
  // Level "error" (failed runs only) still gets the refusal: it is not a run's outcome.
  const { d, dir, events, backdate, runNow } = await setup(t, { keepLast: 0, keepDaily: 0 }, {
    notifications: { urls: [`generic://${rx.origin.slice('http://'.length)}/retention?disabletls=yes&template=json&token=S3cretT0ken`], level: 'error', retry: { attempts: 1, baseDelayMs: 0 } },
  });
  const old = backdate('old', 3 * DAY);
  const newest = await runNow();
  t.ok(fs.existsSync(path.join(dir, old)), 'nothing was deleted');
  t.ok(d.daemon.store.snapshots.get(newest) && d.daemon.store.snapshots.get('old'), 'both stay listed');
  const refused = events.find((e) => e.type === 'retention.refused');
  t.match(refused?.payload, { scheduleId: 'nightly', account: 'shop', destination: 'here', message: /would remove all 2 snapshot/ });
  t.ok(d.logs.some((l) => /refused/.test(String(l.msg))), 'logged');
  await waitFor(() => (rx.requests.length ? true : undefined), 10_000, 'the retention notice');
  await d.daemon.notifications.idle();
  t.equal(rx.requests.length, 1, 'one notice, and none for the successful run itself (level error)');
  const notice = rx.requests[0]!;
  t.equal(notice.method, 'POST');
  t.match(notice.path, /^\/retention\?token=S3cretT0ken/);
  const sent = JSON.parse(notice.body) as { title: string; message: string };
  t.match(sent.title, /^\[.+\] Retention of shop refused$/, 'the title names the host and the account');
  t.match(sent.message, /retention of schedule nightly for shop at here refused: the retention policy would remove all 2 snapshot/, 'the body says what was refused and why');
  const history = d.daemon.store.notifications.recent(10);
  t.equal(history.length, 1, 'the delivery is in notify.history');
  t.equal(history[0]!.ok, true);
  t.equal(history[0]!.jobId, d.daemon.store.snapshots.get(newest)!.jobId, 'tagged with the run that applied retention');
  t.notMatch(JSON.stringify(history), /S3cretT0ken/, 'history hides the token');
});
