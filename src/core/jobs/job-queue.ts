import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AgentError, toAgentError } from '../../errors/index.ts';
import type { Clock } from '../clock.ts';
import type { JobProgress, JobRecord, JobStore, JobWarning } from './job.ts';
import { logJobFinished, logJobStarted } from './job-log.ts';

export interface JobRunContext {
  readonly job: JobRecord;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Reports progress; stored and published at most twice a second. */
  progress(p: JobProgress): void;
  warn(w: JobWarning): void;
}

export interface JobOutcome {
  result?: Record<string, unknown>;
}

export interface JobKind {
  run(ctx: JobRunContext): Promise<JobOutcome>;
  /** Removes what a run of this job may have left behind; called after failure, cancel or a crash. */
  cleanup?(job: JobRecord): void | Promise<void>;
}

export interface JobQueueEvents {
  onProgress?(job: JobRecord, progress: JobProgress): void;
  onFinished?(job: JobRecord): void;
}

const PROGRESS_INTERVAL_MS = 500;

interface Running {
  job: JobRecord;
  abort: AbortController;
  done: Promise<void>;
  cancelled: boolean;
}

/**
 * The persistent queue: jobs are rows first and work second, so a crash leaves a record that
 * the next start turns into AGENT_E_INTERRUPTED. A host-wide limit bounds concurrent jobs.
 */
export class JobQueue {
  readonly #store: JobStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #kinds = new Map<string, JobKind>();
  readonly #running = new Map<string, Running>();
  readonly #events: JobQueueEvents;
  #concurrency: number;
  #maxQueued: number;
  #queued: string[] = [];
  #accepting = true;

  constructor(opts: { store: JobStore; clock: Clock; log: Logger; concurrency: number; maxQueued: number; events?: JobQueueEvents }) {
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#concurrency = opts.concurrency;
    this.#maxQueued = opts.maxQueued;
    this.#events = opts.events ?? {};
  }

  register(kind: string, impl: JobKind): void {
    this.#kinds.set(kind, impl);
  }

  setLimits(concurrency: number, maxQueued: number): void {
    this.#concurrency = concurrency;
    this.#maxQueued = maxQueued;
    this.#pump();
  }

  stats(): { queued: number; running: number; concurrency: number } {
    return { queued: this.#queued.length, running: this.#running.size, concurrency: this.#concurrency };
  }

  runningJobs(): JobRecord[] {
    return [...this.#running.values()].map((r) => r.job);
  }

  /**
   * Marks jobs a previous process left running as interrupted (cleaning their partial output)
   * and takes queued ones back into the queue.
   */
  async recover(): Promise<{ interrupted: number; requeued: number }> {
    const stale = this.#store.byStatus('running');
    for (const job of stale) {
      await this.#cleanup(job);
      this.#store.finish(job.id, { status: 'failed', finishedAt: this.#clock.now(), errcode: 'AGENT_E_INTERRUPTED', errtext: 'the daemon stopped while this job was running' });
      const done = this.#store.get(job.id);
      if (done) logJobFinished(this.#log, done);
    }
    const queued = this.#store.byStatus('queued');
    this.#queued = queued.map((j) => j.id);
    this.#pump();
    return { interrupted: stale.length, requeued: queued.length };
  }

  enqueue(job: { kind: string; account: string | null; trigger: string; params: Record<string, unknown>; snapshotId?: string | null; id?: string }): JobRecord {
    if (!this.#accepting) throw new AgentError('AGENT_E_SHUTTING_DOWN', 'the daemon is stopping and accepts no new jobs');
    if (!this.#kinds.has(job.kind)) throw new AgentError('AGENT_E_INTERNAL', `no runner for job kind ${job.kind}`);
    if (this.#queued.length >= this.#maxQueued) {
      throw new AgentError('AGENT_E_BUSY', `the job queue is full (${this.#maxQueued} queued)`);
    }
    const record = this.#store.insert({ id: job.id ?? randomUUID(), kind: job.kind, account: job.account, trigger: job.trigger, params: job.params, snapshotId: job.snapshotId ?? null, createdAt: this.#clock.now() });
    this.#queued.push(record.id);
    this.#pump();
    return this.#store.get(record.id) ?? record;
  }

  /** Cancels a queued job at once, or aborts a running one and waits for it to stop. */
  async cancel(id: string): Promise<JobRecord> {
    const job = this.#store.get(id);
    if (!job) throw new AgentError('AGENT_E_NOT_FOUND', `job ${id} not found`);
    const qi = this.#queued.indexOf(id);
    if (qi >= 0) {
      this.#queued.splice(qi, 1);
      this.#finish(job, { status: 'cancelled', errcode: 'AGENT_E_CANCELLED', errtext: 'cancelled before it started' });
    } else {
      const r = this.#running.get(id);
      if (!r) throw new AgentError('AGENT_E_CONFLICT', `job ${id} is already ${job.status}`, { data: { status: job.status } });
      r.cancelled = true;
      r.abort.abort(new AgentError('AGENT_E_CANCELLED', 'cancelled'));
      await r.done;
    }
    return this.#store.get(id)!;
  }

  /**
   * Stops taking work, gives running jobs the grace period, then aborts what is left and marks
   * it interrupted. Queued jobs stay queued for the next start.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#accepting = false;
    this.#queued = [];
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), graceMs); }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const r of this.#running.values()) r.abort.abort(new AgentError('AGENT_E_INTERRUPTED', 'the daemon is stopping'));
      await all;
    }
  }

  #pump(): void {
    while (this.#accepting && this.#running.size < this.#concurrency && this.#queued.length) {
      const id = this.#queued.shift()!;
      const job = this.#store.get(id);
      if (job?.status === 'queued') this.#start(job);
    }
  }

  #start(queuedJob: JobRecord): void {
    const kind = this.#kinds.get(queuedJob.kind)!;
    const startedAt = this.#clock.now();
    this.#store.markRunning(queuedJob.id, startedAt);
    const job: JobRecord = { ...queuedJob, status: 'running', startedAt };
    logJobStarted(this.#log, job);
    const abort = new AbortController();
    const warnings: JobWarning[] = [];
    const log = this.#log.child({ jobId: job.id, kind: job.kind, account: job.account });
    let lastProgress = 0;
    let pending: JobProgress | null = null;
    let progressTimer: NodeJS.Timeout | null = null;
    const flushProgress = () => {
      progressTimer = null;
      if (!pending) return;
      const p = pending;
      pending = null;
      lastProgress = Date.now();
      this.#store.setProgress(job.id, p);
      job.progress = p;
      this.#events.onProgress?.(job, p);
    };
    const ctx: JobRunContext = {
      job,
      signal: abort.signal,
      log,
      progress: (p) => {
        pending = p;
        const wait = lastProgress + PROGRESS_INTERVAL_MS - Date.now();
        if (wait <= 0) flushProgress();
        else progressTimer ??= setTimeout(flushProgress, wait);
      },
      warn: (w) => {
        warnings.push(w);
      },
    };
    const entry: Running = { job, abort, cancelled: false, done: Promise.resolve() };
    this.#running.set(job.id, entry);
    entry.done = (async () => {
      try {
        const outcome = await kind.run(ctx);
        if (abort.signal.aborted) throw abort.signal.reason;
        this.#finish(job, { status: 'succeeded', result: outcome.result ?? null, warnings });
      } catch (err) {
        const e = abort.signal.aborted ? toAgentError(abort.signal.reason) : toAgentError(err);
        if (e.code === 'AGENT_E_INTERNAL') log.error({ err }, 'job failed unexpectedly');
        await this.#cleanup(job);
        this.#finish(job, { status: entry.cancelled ? 'cancelled' : 'failed', warnings, errcode: e.code, errtext: e.message });
      } finally {
        if (progressTimer) clearTimeout(progressTimer);
        this.#running.delete(job.id);
        this.#pump();
      }
    })();
  }

  async #cleanup(job: JobRecord): Promise<void> {
    try {
      await this.#kinds.get(job.kind)?.cleanup?.(job);
    } catch (err) {
      this.#log.error({ err, jobId: job.id }, 'job cleanup failed');
    }
  }

  #finish(job: JobRecord, f: { status: 'succeeded' | 'failed' | 'cancelled'; result?: Record<string, unknown> | null; warnings?: JobWarning[]; errcode?: string; errtext?: string }): void {
    this.#store.finish(job.id, { ...f, finishedAt: this.#clock.now() });
    const done = this.#store.get(job.id);
    if (!done) return;
    logJobFinished(this.#log, done);
    this.#events.onFinished?.(done);
  }
}
