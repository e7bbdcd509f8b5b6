// Fires schedules from an injected clock. The daemon calls tick() from a timer armed for the
// next due time; tests move a ManualClock and call tick() themselves, never waiting for minutes.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { AccountStore, ScheduleRow, ScheduleStore, ScheduleTiming } from '../core/store.ts';
import type { JobStore } from '../core/jobs/index.ts';
import { toAgentError } from '../errors/index.ts';
import { nextFire } from './cron-expression.ts';
import { expandTarget } from './target.ts';

export interface SchedulerSettings {
  enabled: boolean;
  missedRunGraceMinutes: number;
  jitterSeconds: number;
}

export interface SchedulerDeps {
  schedules: ScheduleStore;
  accounts: AccountStore;
  jobs: JobStore;
  clock: Clock;
  log: Logger;
  settings(): SchedulerSettings;
  /** Queues one account's run (through the host-wide job queue); returns its job and snapshot ids. */
  enqueue(schedule: ScheduleRow, account: string): Promise<{ jobId: string; snapshotId: string | null }>;
  /** [0, 1); injectable so jitter is testable. */
  random?: () => number;
}

export interface FireOutcome {
  scheduleId: string;
  /** Accounts queued now, with their jobs. */
  queued: { account: string; jobId: string }[];
  /** Accounts whose start is spread by jitter, with when they will be queued. */
  delayed: { account: string; at: number }[];
  /** Accounts skipped because this schedule's previous run for them has not finished. */
  skipped: string[];
  failed: { account: string; code: string; message: string }[];
}

interface PendingStart {
  at: number;
  scheduleId: string;
  account: string;
}

/** The longest the daemon's timer sleeps, so a changed wall clock is noticed within a minute. */
const MAX_SLEEP_MS = 60_000;

export class Scheduler {
  readonly #deps: SchedulerDeps;
  /** Enabled schedules and their next fire time. */
  readonly #next = new Map<string, number>();
  readonly #pending: PendingStart[] = [];
  /** schedule/account pairs with a jittered start pending or an enqueue in flight. */
  readonly #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<FireOutcome[]> = Promise.resolve([]);
  #started = false;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /**
   * Loads every schedule. A run that fell due while the daemon was down fires once now when it
   * is within the grace window; older ones are logged as missed.
   */
  async start(): Promise<FireOutcome[]> {
    this.#started = true;
    const now = this.#deps.clock.now();
    const graceMs = this.#deps.settings().missedRunGraceMinutes * 60_000;
    const catchUp: { id: string; due: number }[] = [];
    // Thousands of schedules share a few patterns and fire times: compute each answer once.
    const memo = new Map<string, number | null>();
    for (const s of this.#deps.schedules.enabledTimings()) {
      const due = this.#safeNext(s, s.lastFireAt ?? s.updatedAt, memo);
      if (due !== null && due <= now) {
        if (now - due <= graceMs) catchUp.push({ id: s.id, due });
        else this.#deps.log.warn({ scheduleId: s.id, missedAt: new Date(due).toISOString() }, 'schedule run missed while the daemon was down, outside the grace window; not run');
      }
      this.#arm(s, now, memo);
    }
    const outcomes = await this.#serial(async () => {
      const out: FireOutcome[] = [];
      if (!this.#deps.settings().enabled) return out;
      for (const { id, due } of catchUp) {
        const schedule = this.#deps.schedules.get(id);
        if (!schedule) continue;
        this.#deps.log.info({ scheduleId: schedule.id, missedAt: new Date(due).toISOString() }, 'running a schedule run missed while the daemon was down');
        this.#deps.schedules.setLastFire(schedule.id, due);
        out.push(await this.#fire(schedule, now, this.#jitterOf(schedule)));
      }
      return out;
    });
    this.#rearm();
    return outcomes;
  }

  stop(): void {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Fires what is due at `now` and queues jittered starts whose time came. Calls never overlap. */
  tick(now: number = this.#deps.clock.now()): Promise<FireOutcome[]> {
    const run = this.#serial(async () => {
      const out: FireOutcome[] = [];
      if (this.#deps.settings().enabled) {
        const due = [...this.#next].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
        for (const [id, at] of due) {
          const s = this.#deps.schedules.get(id);
          if (!s || !s.enabled) {
            this.#next.delete(id);
            continue;
          }
          this.#deps.schedules.setLastFire(id, at);
          this.#arm(s, now);
          out.push(await this.#fire(s, at, this.#jitterOf(s)));
        }
      }
      await this.#startPending(now);
      return out;
    });
    void run.finally(() => this.#rearm());
    return run;
  }

  /** schedule.run: every account of the schedule now, without jitter. */
  runNow(schedule: ScheduleRow): Promise<FireOutcome> {
    return this.#serial(() => this.#fire(schedule, this.#deps.clock.now(), 0));
  }

  /** Re-reads one schedule after schedule.put or schedule.delete. */
  refresh(id: string): void {
    const s = this.#deps.schedules.get(id);
    this.#next.delete(id);
    if (s?.enabled) this.#arm(s, this.#deps.clock.now());
    this.#rearm();
  }

  nextFireAt(id: string): number | null {
    return this.#next.get(id) ?? null;
  }

  /** Every enabled schedule's next fire time, as armed (metrics read it at scrape time). */
  nextFireTimes(): IterableIterator<[id: string, at: number]> {
    return this.#next.entries();
  }

  pendingStarts(): number {
    return this.#pending.length;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#ticking.then(fn, fn);
    this.#ticking = run.then(() => [], () => []);
    return run;
  }

  #arm(s: ScheduleTiming, after: number, memo?: Map<string, number | null>): void {
    const next = this.#safeNext(s, after, memo);
    if (next === null) this.#next.delete(s.id);
    else this.#next.set(s.id, next);
  }

  #safeNext(s: ScheduleTiming, after: number, memo?: Map<string, number | null>): number | null {
    const k = `${s.cron}\u0000${s.timezone}\u0000${after}`;
    const known = memo?.get(k);
    if (known !== undefined) return known;
    try {
      const next = nextFire(s.cron, s.timezone, after);
      memo?.set(k, next);
      return next;
    } catch (err) {
      this.#deps.log.error({ scheduleId: s.id, err: (err as Error).message }, 'schedule has an invalid cron pattern; it never fires');
      return null;
    }
  }

  #jitterOf(s: ScheduleRow): number {
    return s.jitterSeconds ?? this.#deps.settings().jitterSeconds;
  }

  async #fire(s: ScheduleRow, at: number, jitterSeconds: number): Promise<FireOutcome> {
    const outcome: FireOutcome = { scheduleId: s.id, queued: [], delayed: [], skipped: [], failed: [] };
    const random = this.#deps.random ?? Math.random;
    for (const account of expandTarget(this.#deps.accounts, s.target)) {
      if (this.#busy(s.id, account)) {
        outcome.skipped.push(account);
        continue;
      }
      const delay = jitterSeconds > 0 ? Math.floor(random() * jitterSeconds * 1000) : 0;
      if (delay > 0) {
        this.#inFlight.add(key(s.id, account));
        this.#pending.push({ at: at + delay, scheduleId: s.id, account });
        outcome.delayed.push({ account, at: at + delay });
        continue;
      }
      await this.#enqueue(s, account, outcome);
    }
    if (outcome.skipped.length) {
      this.#deps.log.warn({ scheduleId: s.id, accounts: outcome.skipped.slice(0, 20), count: outcome.skipped.length }, 'previous run of this schedule is still queued or running; skipped');
    }
    this.#deps.log.info({ scheduleId: s.id, queued: outcome.queued.length, delayed: outcome.delayed.length, skipped: outcome.skipped.length, failed: outcome.failed.length }, 'schedule fired');
    return outcome;
  }

  async #startPending(now: number): Promise<void> {
    this.#pending.sort((a, b) => a.at - b.at);
    while (this.#pending.length && this.#pending[0]!.at <= now) {
      const p = this.#pending.shift()!;
      this.#inFlight.delete(key(p.scheduleId, p.account));
      const s = this.#deps.schedules.get(p.scheduleId);
      if (!s) continue;
      const outcome: FireOutcome = { scheduleId: s.id, queued: [], delayed: [], skipped: [], failed: [] };
      await this.#enqueue(s, p.account, outcome);
    }
  }

  /** A pair is busy while a start is pending or its last run's job is queued or running. */
  #busy(scheduleId: string, account: string): boolean {
    if (this.#inFlight.has(key(scheduleId, account))) return true;
    const last = this.#deps.schedules.lastRun(scheduleId, account);
    if (!last) return false;
    const status = this.#deps.jobs.get(last.jobId)?.status;
    return status === 'queued' || status === 'running';
  }

  async #enqueue(s: ScheduleRow, account: string, outcome: FireOutcome): Promise<void> {
    const k = key(s.id, account);
    this.#inFlight.add(k);
    try {
      const { jobId, snapshotId } = await this.#deps.enqueue(s, account);
      this.#deps.schedules.recordRun({ scheduleId: s.id, account, jobId, snapshotId, firedAt: this.#deps.clock.now() });
      outcome.queued.push({ account, jobId });
    } catch (err) {
      const e = toAgentError(err);
      this.#deps.log.error({ scheduleId: s.id, account, code: e.code, err: e.message }, 'could not queue a scheduled run');
      outcome.failed.push({ account, code: e.code, message: e.message });
    } finally {
      this.#inFlight.delete(k);
    }
  }

  /** Arms the daemon's real timer for the earliest due time (at most a minute away). */
  #rearm(): void {
    if (!this.#started) return;
    if (this.#timer) clearTimeout(this.#timer);
    let earliest = Infinity;
    for (const at of this.#next.values()) if (at < earliest) earliest = at;
    for (const p of this.#pending) if (p.at < earliest) earliest = p.at;
    const wait = Math.max(50, Math.min(MAX_SLEEP_MS, earliest - this.#deps.clock.now()));
    this.#timer = setTimeout(() => void this.tick(), wait);
    this.#timer.unref();
  }
}

const key = (scheduleId: string, account: string) => `${scheduleId}\u0000${account}`;
