import type { JobFinish, JobProgress, JobRecord, JobStatus, JobStore, NewJob } from '../core/jobs/index.ts';
import type { Db } from './database.ts';

interface JobRow {
  id: string; kind: string; account: string | null; status: JobStatus; trigger: string; params: string; progress: string;
  result: string | null; warnings: string; errcode: string | null; errtext: string | null; snapshot_id: string | null;
  created_at: number; started_at: number | null; finished_at: number | null;
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id, kind: r.kind, account: r.account, status: r.status, trigger: r.trigger,
    params: JSON.parse(r.params), progress: JSON.parse(r.progress), result: r.result === null ? null : JSON.parse(r.result),
    warnings: JSON.parse(r.warnings), errcode: r.errcode, errtext: r.errtext, snapshotId: r.snapshot_id,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}

export class JobsRepo implements JobStore {
  readonly #db: Db;
  readonly #stmts;

  constructor(db: Db) {
    this.#db = db;
    this.#stmts = {
      insert: db.prepare(`INSERT INTO jobs (id, kind, account, status, trigger, params, snapshot_id, created_at) VALUES (@id, @kind, @account, 'queued', @trigger, @params, @snapshotId, @createdAt)`),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      running: db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?`),
      progress: db.prepare('UPDATE jobs SET progress = ? WHERE id = ?'),
      finish: db.prepare(`UPDATE jobs SET status = @status, finished_at = @finishedAt, result = @result, warnings = @warnings, errcode = @errcode, errtext = @errtext WHERE id = @id`),
      byStatus: db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY created_at, rowid'),
    };
  }

  insert(job: NewJob): JobRecord {
    this.#stmts.insert.run({ ...job, params: JSON.stringify(job.params), snapshotId: job.snapshotId ?? null });
    return this.get(job.id)!;
  }

  get(id: string): JobRecord | null {
    const r = this.#stmts.get.get(id) as JobRow | undefined;
    return r ? toRecord(r) : null;
  }

  list(filter: { account?: string; status?: JobStatus; limit?: number }): JobRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.account !== undefined) { where.push('account = ?'); args.push(filter.account); }
    if (filter.status !== undefined) { where.push('status = ?'); args.push(filter.status); }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, filter.limit ?? 100) as JobRow[]).map(toRecord);
  }

  markRunning(id: string, at: number): void {
    this.#stmts.running.run(at, id);
  }

  setProgress(id: string, progress: JobProgress): void {
    this.#stmts.progress.run(JSON.stringify(progress), id);
  }

  finish(id: string, f: JobFinish): void {
    this.#stmts.finish.run({
      id, status: f.status, finishedAt: f.finishedAt, result: f.result === undefined || f.result === null ? null : JSON.stringify(f.result),
      warnings: JSON.stringify(f.warnings ?? []), errcode: f.errcode ?? null, errtext: f.errtext ?? null,
    });
  }

  byStatus(status: JobStatus): JobRecord[] {
    return (this.#stmts.byStatus.all(status) as JobRow[]).map(toRecord);
  }
}
