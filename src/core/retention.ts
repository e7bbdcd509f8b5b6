// Grandfather-father-son selection, in the manner of restic's `forget`: walk snapshots newest
// first; each rule keeps the newest snapshot of each of its next N buckets. A snapshot is kept
// when any rule keeps it. Pure: the caller marks, logs, notifies and deletes.
import { AgentError } from '../errors/index.ts';

export interface RetentionPolicy {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

export interface RetentionCandidate {
  id: string;
  createdAt: Date | number | string;
}

export type RetentionRule = 'last' | 'daily' | 'weekly' | 'monthly';

export interface RetentionDecision<T extends RetentionCandidate> {
  /** Newest first. */
  keep: T[];
  /** Newest first. Empty when `refused` is set. */
  prune: T[];
  /** Why each kept snapshot is kept, by id. */
  reasons: Record<string, RetentionRule[]>;
  /** Set when the policy would have removed every snapshot; nothing is pruned then. */
  refused?: string;
}

const RULES = [
  ['keepLast', 'last'],
  ['keepDaily', 'daily'],
  ['keepWeekly', 'weekly'],
  ['keepMonthly', 'monthly'],
] as const;

export function selectForPruning<T extends RetentionCandidate>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  timezone = 'UTC',
): RetentionDecision<T> {
  for (const [key] of RULES) {
    const n = policy[key];
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new AgentError('AGENT_E_INVALID', `retention.${key} must be a whole number >= 0`, { data: { field: `retention.${key}` } });
    }
  }
  const bucketOf = bucketFunction(timezone);
  const dated = snapshots.map((s) => ({ s, at: toMillis(s) }));
  // Newest first; ties broken by id so the outcome never depends on input order.
  dated.sort((a, b) => b.at - a.at || (a.s.id < b.s.id ? 1 : a.s.id > b.s.id ? -1 : 0));

  const reasons: Record<string, RetentionRule[]> = {};
  for (const [key, rule] of RULES) {
    let left = policy[key] ?? 0;
    let lastBucket: string | undefined;
    for (const { s, at } of dated) {
      if (left <= 0) break;
      const bucket = rule === 'last' ? s.id : bucketOf(rule, at);
      if (bucket === lastBucket) continue;
      lastBucket = bucket;
      left--;
      (reasons[s.id] ??= []).push(rule);
    }
  }

  if (dated.length > 0 && Object.keys(reasons).length === 0) {
    return {
      keep: dated.map((d) => d.s),
      prune: [],
      reasons: {},
      refused: `the retention policy would remove all ${dated.length} snapshot(s); nothing was pruned`,
    };
  }
  // The newest snapshot is never pruned: every rule with N > 0 takes it first, and a policy with
  // no such rule was refused above.
  const keep: T[] = [];
  const prune: T[] = [];
  for (const { s } of dated) (reasons[s.id] ? keep : prune).push(s);
  return { keep, prune, reasons };
}

function toMillis(s: RetentionCandidate): number {
  const at = s.createdAt instanceof Date ? s.createdAt.getTime() : typeof s.createdAt === 'number' ? s.createdAt : Date.parse(s.createdAt);
  if (!Number.isFinite(at)) {
    throw new AgentError('AGENT_E_INVALID', `snapshot ${s.id} has no valid creation time`, { data: { field: 'createdAt', id: s.id } });
  }
  return at;
}

/** Calendar buckets in the schedule's timezone: a day starts at local midnight, weeks are ISO weeks. */
function bucketFunction(timezone: string): (rule: 'daily' | 'weekly' | 'monthly', at: number) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric' });
  } catch {
    throw new AgentError('AGENT_E_INVALID', `unknown timezone ${JSON.stringify(timezone)}`, { data: { field: 'timezone' } });
  }
  return (rule, at) => {
    const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    const y = Number(parts.year), m = Number(parts.month), d = Number(parts.day);
    if (rule === 'daily') return `${y}-${m}-${d}`;
    if (rule === 'monthly') return `${y}-${m}`;
    return isoWeek(y, m, d);
  };
}

function isoWeek(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7; // Monday 1 .. Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${week}`;
}
