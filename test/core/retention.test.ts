import t from 'tap';
import { selectForPruning } from '../../src/core/retention.ts';
import { AgentError } from '../../src/errors/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Wednesday noon UTC; snapshots are backdated from here.
const NOW = Date.parse('2026-11-18T12:00:00Z');

function daily(count: number, perDay = 1): { id: string; createdAt: Date }[] {
  const out: { id: string; createdAt: Date }[] = [];
  for (let d = 0; d < count; d++) {
    for (let k = 0; k < perDay; k++) out.push({ id: `d${d}h${k}`, createdAt: new Date(NOW - d * DAY - k * HOUR) });
  }
  return out;
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

t.test('keepLast keeps the N newest, whatever order they come in', async (t) => {
  const snaps = daily(10).reverse();
  const r = selectForPruning(snaps, { keepLast: 3 });
  t.same(ids(r.keep), ['d0h0', 'd1h0', 'd2h0']);
  t.equal(r.prune.length, 7);
  t.equal(r.refused, undefined);
  t.same(r.reasons.d0h0, ['last']);
});

t.test('keepDaily keeps the newest snapshot of each of the last N days', async (t) => {
  const r = selectForPruning(daily(5, 3), { keepDaily: 3 });
  t.same(ids(r.keep), ['d0h0', 'd1h0', 'd2h0']);
  t.equal(r.prune.length, 12);
});

t.test('keepWeekly keeps the newest of each ISO week', async (t) => {
  // 2026-11-18 is a Wednesday: days 0-2 are this week (Mon 16th), 3-9 last week, 10-16 the one before.
  const r = selectForPruning(daily(21), { keepWeekly: 3 });
  t.same(ids(r.keep), ['d0h0', 'd3h0', 'd10h0']);
});

t.test('keepMonthly keeps the newest of each calendar month', async (t) => {
  const snaps = [
    { id: 'nov-18', createdAt: '2026-11-18T12:00:00Z' },
    { id: 'nov-01', createdAt: '2026-11-01T00:30:00Z' },
    { id: 'oct-31', createdAt: '2026-10-31T23:00:00Z' },
    { id: 'oct-02', createdAt: '2026-10-02T10:00:00Z' },
    { id: 'sep-15', createdAt: '2026-09-15T10:00:00Z' },
    { id: 'aug-15', createdAt: '2026-08-15T10:00:00Z' },
  ];
  const r = selectForPruning(snaps, { keepMonthly: 3 });
  t.same(ids(r.keep), ['nov-18', 'oct-31', 'sep-15']);
  t.same(ids(r.prune), ['nov-01', 'oct-02', 'aug-15']);
});

t.test('buckets follow the timezone', async (t) => {
  // 23:00 UTC on Oct 31 is already Nov 1 in Berlin, so Berlin sees two November snapshots.
  const snaps = [
    { id: 'a', createdAt: '2026-11-05T10:00:00Z' },
    { id: 'b', createdAt: '2026-10-31T23:30:00Z' },
    { id: 'c', createdAt: '2026-10-20T10:00:00Z' },
  ];
  t.same(ids(selectForPruning(snaps, { keepMonthly: 2 }, 'UTC').keep), ['a', 'b']);
  t.same(ids(selectForPruning(snaps, { keepMonthly: 2 }, 'Europe/Berlin').keep), ['a', 'c']);
  t.throws(() => selectForPruning(snaps, { keepMonthly: 1 }, 'Mars/Olympus'), { code: 'AGENT_E_INVALID' });
});

t.test('rules overlap: a snapshot kept by several rules is kept once, with every reason', async (t) => {
  const r = selectForPruning(daily(40), { keepLast: 2, keepDaily: 4, keepWeekly: 3, keepMonthly: 2 });
  // last: d0 d1; daily: d0..d3; weekly: d0 d3 d10; monthly: d0 (Nov), d18 (Oct 31).
  t.same(ids(r.keep), ['d0h0', 'd1h0', 'd2h0', 'd3h0', 'd10h0', 'd18h0']);
  t.same(r.reasons.d0h0, ['last', 'daily', 'weekly', 'monthly']);
  t.same(r.reasons.d3h0, ['daily', 'weekly']);
  t.same(r.reasons.d18h0, ['monthly']);
  t.equal(r.keep.length + r.prune.length, 40);
});

t.test('refuses to prune every snapshot', async (t) => {
  const snaps = daily(4);
  for (const policy of [{}, { keepLast: 0 }, { keepDaily: 0, keepWeekly: 0 }]) {
    const r = selectForPruning(snaps, policy);
    t.ok(r.refused, `refused for ${JSON.stringify(policy)}`);
    t.match(r.refused, /all 4 snapshot/);
    t.same(r.prune, []);
    t.equal(r.keep.length, 4);
  }
  t.same(selectForPruning([], {}), { keep: [], prune: [], reasons: {} });
});

t.test('the newest snapshot is always kept', async (t) => {
  const snaps = daily(6);
  for (const policy of [{ keepLast: 1 }, { keepDaily: 1 }, { keepWeekly: 1 }, { keepMonthly: 1 }]) {
    const r = selectForPruning(snaps, policy);
    t.equal(r.keep[0].id, 'd0h0', JSON.stringify(policy));
    t.notOk(r.prune.some((s) => s.id === 'd0h0'));
  }
  // A single snapshot under a policy that keeps one is never pruned.
  t.same(ids(selectForPruning([{ id: 'only', createdAt: NOW }], { keepDaily: 1 }).keep), ['only']);
});

t.test('bad input is refused with a clear error', async (t) => {
  t.throws(() => selectForPruning(daily(2), { keepLast: -1 }), { code: 'AGENT_E_INVALID', message: /keepLast/ });
  t.throws(() => selectForPruning(daily(2), { keepDaily: 1.5 }), { code: 'AGENT_E_INVALID' });
  const err = t.throws(() => selectForPruning([{ id: 'x', createdAt: 'yesterday' }], { keepLast: 1 }));
  t.ok(err instanceof AgentError);
});
