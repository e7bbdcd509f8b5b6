// The scheduler inside a real daemon, driven by a ManualClock: fire times, target expansion,
// host-wide concurrency, no overlap, jitter and missed runs. Jobs are real account_full
// snapshots (configuration scope, so cheap) copied to a real local destination.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { startDaemon, tempDir, type InProcessDaemon } from '../helpers/daemon.ts';
import { makeTenant, waitFor, type Tenant } from '../helpers/tenant.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

const at = (iso: string) => Date.parse(iso);

async function setup(t: Test, opts: { clock: ManualClock; accounts: number; dir?: string; tenant?: Tenant; backups?: string; config?: Record<string, unknown> }) {
  const d = await startDaemon(t, { clock: opts.clock, dir: opts.dir, config: { jobs: { concurrency: 2 }, ...opts.config } });
  const tenant = opts.tenant ?? await makeTenant(t, { profile: 'empty' });
  const c = await d.admin();
  const backups = opts.backups ?? tempDir(t, 'hostagent-dest-');
  if (!opts.dir || !d.daemon.store.destinations.get('here')) {
    await c.call('destination.put', { name: 'here', type: 'local', directory: backups });
    await c.call('package.put', { name: 'basic' });
    for (let i = 0; i < opts.accounts; i++) {
      d.daemon.store.accounts.put({ name: `acct${String(i).padStart(2, '0')}`, uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: i % 2 ? 'basic' : undefined }, opts.clock.now());
    }
  }
  return { d, c, tenant, backups };
}

function jobsOf(d: InProcessDaemon) {
  return d.daemon.store.jobs.list({ limit: 10_000 }).filter((j) => j.trigger === 'schedule');
}

t.test('cron validation and next fire times (seconds, @daily, timezone)', async (t) => {
  const clock = new ManualClock(at('2026-03-28T12:00:00Z'));
  const { c } = await setup(t, { clock, accounts: 1 });
  const put = (p: Record<string, unknown>) => c.call<Record<string, unknown>>('schedule.put', { id: 's', target: { all: true }, destinations: ['here'], ...p });
  await put({ cron: '@daily', timezone: 'Europe/Berlin' });
  const g = await c.call<{ nextFires: string[]; nextFireAt: string }>('schedule.get', { id: 's' });
  // Berlin switches to summer time on 2026-03-29: midnight is 23:00Z, then 22:00Z.
  t.same(g.nextFires.slice(0, 3), ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z']);
  t.equal(g.nextFires.length, 5);
  t.equal(g.nextFireAt, g.nextFires[0]);
  await put({ cron: '*/15 * * * * *' });
  t.same((await c.call<{ nextFires: string[] }>('schedule.get', { id: 's' })).nextFires.slice(0, 2), ['2026-03-28T12:00:15.000Z', '2026-03-28T12:00:30.000Z'], 'optional seconds field');
  await t.rejects(put({ cron: 'every day' }), { message: /./, data: { code: 'AGENT_E_INVALID', field: 'cron' } });
  await t.rejects(put({ cron: '0 3 * * *', timezone: 'Mars/Olympus' }), { message: /./, data: { code: 'AGENT_E_INVALID', field: 'timezone' } });
  await t.rejects(put({ cron: '0 3 * * *', destinations: ['nowhere'] }), { message: /./, data: { code: 'AGENT_E_NOT_FOUND', field: 'destinations.0' } });
  await t.rejects(put({ cron: '0 3 * * *', target: { package: 'gold' } }), { message: /./, data: { code: 'AGENT_E_NOT_FOUND', field: 'target.package' } });
  await t.rejects(c.call('destination.delete', { name: 'here' }), { message: /./, data: { code: 'AGENT_E_CONFLICT', schedules: ['s'] } }, 'a destination in use is not deleted');
  t.equal((await c.call<{ schedules: unknown[] }>('schedule.list', {})).schedules.length, 1);
  t.same(await c.call('schedule.delete', { id: 's' }), { deleted: true });
  t.same(await c.call('destination.delete', { name: 'here' }), { deleted: true }, 'deletable once no schedule uses it');
});

t.test('50 accounts, concurrency 2: all complete, never more than 2 at once, no overlap', async (t) => {
  const clock = new ManualClock(at('2026-05-01T02:59:00Z'));
  const { d, c, backups } = await setup(t, { clock, accounts: 50 });
  await c.call('schedule.put', { id: 'nightly', cron: '0 3 * * *', target: { all: true }, scope: 'configuration', compression: 'gzip', destinations: ['here'], retention: {} });
  let maxRunning = 0;
  const sample = () => { maxRunning = Math.max(maxRunning, d.daemon.queue.stats().running, d.daemon.store.jobs.byStatus('running').length); };
  const unsubscribe = d.daemon.events.subscribe({ id: 'probe', account: null, types: null, deliver: sample });
  const timer = setInterval(sample, 2);
  t.teardown(() => { clearInterval(timer); unsubscribe(); });

  t.same(await d.daemon.scheduler.tick(), [], 'nothing is due at 02:59');
  clock.set(at('2026-05-01T03:00:00Z'));
  const [fired] = await d.daemon.scheduler.tick();
  t.equal(fired!.queued.length, 50, 'every account queued at the fire time');
  sample();
  // The same schedule run again while its runs are still queued or running skips those accounts.
  const again = await c.call<{ queued: unknown[]; skipped: string[] }>('schedule.run', { id: 'nightly' });
  t.ok(again.skipped.length >= 45, `overlapping accounts skipped (${again.skipped.length})`);
  t.equal(again.skipped.length + again.queued.length, 50);

  await waitFor(() => (jobsOf(d).every((j) => j.status === 'succeeded' || j.status === 'failed') ? true : undefined), 100_000, 'all scheduled jobs done');
  const jobs = jobsOf(d);
  t.equal(jobs.filter((j) => j.status === 'succeeded').length, jobs.length, 'every scheduled job succeeded');
  t.equal(new Set(jobs.map((j) => j.account)).size, 50, 'all 50 accounts ran');
  t.ok(maxRunning <= 2, `never more than 2 running at once (saw ${maxRunning})`);
  t.ok(maxRunning >= 1);
  const objects = fs.readdirSync(backups).filter((n) => n.endsWith('.tar.gz'));
  t.equal(objects.length, jobs.length, 'one object per run at the destination');
  const snap = d.daemon.store.snapshots.get(jobs[0]!.snapshotId!)!;
  t.same(snap.locations.map((l) => [l.destination, l.object, l.status]), [['here', snap.parts[0], 'stored']]);
  t.equal(fs.statSync(path.join(backups, snap.parts[0]!)).size, snap.bytes);
  t.notOk(fs.existsSync(path.join(d.dir, 'spool', snap.parts[0]!)), 'the spool copy is dropped once every destination has it');
  t.equal(d.daemon.store.schedules.get('nightly')!.lastFireAt, at('2026-05-01T03:00:00Z'));
  t.equal((await c.call<{ nextFireAt: string }>('schedule.get', { id: 'nightly' })).nextFireAt, '2026-05-02T03:00:00.000Z');
});

t.test('package targets expand at fire time; jitter spreads starts on the clock', async (t) => {
  const clock = new ManualClock(at('2026-05-01T00:00:00Z'));
  const { d, c } = await setup(t, { clock, accounts: 6 });
  await c.call('schedule.put', { id: 'spread', cron: '0 * * * *', target: { package: 'basic' }, scope: 'configuration', destinations: ['here'], jitterSeconds: 600 });
  // An account joining the package after the schedule was made is picked up when it fires.
  const tenant = d.daemon.store.accounts.get('acct01')!;
  d.daemon.store.accounts.put({ name: 'latecomer', uid: tenant.uid, gid: tenant.gid, home: tenant.home, package: 'basic' }, clock.now());
  clock.set(at('2026-05-01T01:00:00Z'));
  const [fired] = await d.daemon.scheduler.tick();
  t.same(fired!.delayed.map((x) => x.account).sort(), ['acct01', 'acct03', 'acct05', 'latecomer']);
  t.equal(fired!.queued.length, 0, 'nothing queued before its jittered start');
  for (const x of fired!.delayed) t.ok(x.at >= at('2026-05-01T01:00:00Z') && x.at < at('2026-05-01T01:10:00Z'), 'start within the jitter window');
  t.equal(jobsOf(d).length, 0);
  const again = await c.call<{ skipped: string[] }>('schedule.run', { id: 'spread' });
  t.equal(again.skipped.length, 4, 'a pending jittered start counts as a run in progress');
  clock.set(at('2026-05-01T01:10:00Z'));
  await d.daemon.scheduler.tick();
  t.equal(d.daemon.scheduler.pendingStarts(), 0);
  t.equal(jobsOf(d).length, 4, 'each jittered start queued once its time came');
  await waitFor(() => (jobsOf(d).every((j) => j.status === 'succeeded') ? true : undefined), 60_000, 'jobs done');
});

t.test('a run missed while the daemon was down runs once at start, within the grace window only', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(at('2026-05-01T02:00:00Z'));
  const tenant = await makeTenant(t, { profile: 'empty' });
  // The destination's directory outlives the first life: a missing one fails the runs.
  const backups = tempDir(t, 'hostagent-dest-');
  {
    const sub = t.test('first life', async (t) => {
      const { c } = await setup(t, { clock, accounts: 2, dir, tenant, backups, config: { scheduler: { missedRunGraceMinutes: 120 } } });
      await c.call('schedule.put', { id: 'recent', cron: '0 3 * * *', target: { account: 'acct00' }, scope: 'configuration', destinations: ['here'] });
      await c.call('schedule.put', { id: 'ancient', cron: '0 1 * * *', target: { account: 'acct01' }, scope: 'configuration', destinations: ['here'] });
    });
    await sub;
  }
  // Down from 02:00 to 04:30: 'recent' (03:00) is 90 min late, 'ancient' (01:00 next day) is not due yet.
  clock.set(at('2026-05-01T04:30:00Z'));
  const { d } = await setup(t, { clock, accounts: 0, dir, tenant });
  await waitFor(() => (jobsOf(d).length === 1 ? true : undefined), 10_000, 'catch-up run');
  t.same(jobsOf(d).map((j) => [j.account, (j.params as { schedule: string }).schedule]), [['acct00', 'recent']], 'only the missed run within the grace window');
  t.equal(d.daemon.store.schedules.get('recent')!.lastFireAt, at('2026-05-01T03:00:00Z'));
  await waitFor(() => (jobsOf(d).every((j) => j.status === 'succeeded') ? true : undefined), 60_000, 'catch-up done');
  await d.daemon.stop();
  // Down for two days: both missed runs are older than 2 hours and are only logged.
  clock.set(at('2026-05-03T05:00:00Z'));
  const again = await setup(t, { clock, accounts: 0, dir, tenant });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(jobsOf(again.d).length, 1, 'nothing ran outside the grace window');
  t.ok(again.d.logs.some((l) => /outside the grace window/.test(String(l.msg))), 'the missed runs are logged');
});
