import type { Db } from './database.ts';
import { parseJson } from './json-columns.ts';
import type { ScheduleRow, ScheduleRun, ScheduleSpec, ScheduleStore, ScheduleTiming } from '../core/store.ts';

interface Row { id: string; spec: string; enabled: number; last_fire_at: number | null; created_at: number; updated_at: number }
interface RunRow { job_id: string; schedule_id: string; account: string; snapshot_id: string | null; fired_at: number }

const toRun = (r: RunRow): ScheduleRun => ({ scheduleId: r.schedule_id, account: r.account, jobId: r.job_id, snapshotId: r.snapshot_id, firedAt: r.fired_at });

export class SchedulesRepo implements ScheduleStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #toRow(r: Row): ScheduleRow {
    const spec = parseJson<ScheduleSpec>(r.spec, {} as ScheduleSpec);
    return { ...spec, id: r.id, enabled: r.enabled === 1, lastFireAt: r.last_fire_at, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  /** Replacing a schedule keeps its last fire time, so an edit does not trigger a catch-up run. */
  put(spec: ScheduleSpec, now: number): ScheduleRow {
    const { id, enabled, ...rest } = spec;
    this.#db.transaction(() => {
      this.#db.prepare(`INSERT INTO schedules (id, spec, enabled, last_fire_at, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?)
        ON CONFLICT(id) DO UPDATE SET spec = excluded.spec, enabled = excluded.enabled, updated_at = excluded.updated_at`)
        .run(id, JSON.stringify(rest), enabled ? 1 : 0, now, now);
      this.#db.prepare('DELETE FROM schedule_destinations WHERE schedule_id = ?').run(id);
      const link = this.#db.prepare('INSERT OR IGNORE INTO schedule_destinations (schedule_id, destination) VALUES (?, ?)');
      for (const d of spec.destinations) link.run(id, d);
    })();
    return this.get(id)!;
  }

  *enabledTimings(): Iterable<ScheduleTiming> {
    const rows = this.#db.prepare(`SELECT id, json_extract(spec, '$.cron') AS cron, json_extract(spec, '$.timezone') AS timezone, last_fire_at, updated_at
      FROM schedules WHERE enabled = 1`).iterate() as Iterable<{ id: string; cron: string; timezone: string; last_fire_at: number | null; updated_at: number }>;
    for (const r of rows) yield { id: r.id, cron: r.cron, timezone: r.timezone, lastFireAt: r.last_fire_at, updatedAt: r.updated_at };
  }

  get(id: string): ScheduleRow | null {
    const r = this.#db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as Row | undefined;
    return r ? this.#toRow(r) : null;
  }

  list(): ScheduleRow[] {
    return (this.#db.prepare('SELECT * FROM schedules ORDER BY id').all() as Row[]).map((r) => this.#toRow(r));
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  }

  setLastFire(id: string, at: number): void {
    this.#db.prepare('UPDATE schedules SET last_fire_at = ? WHERE id = ?').run(at, id);
  }

  recordRun(run: ScheduleRun): void {
    this.#db.prepare('INSERT OR REPLACE INTO schedule_runs (job_id, schedule_id, account, snapshot_id, fired_at) VALUES (?, ?, ?, ?, ?)')
      .run(run.jobId, run.scheduleId, run.account, run.snapshotId, run.firedAt);
  }

  lastRun(scheduleId: string, account: string): ScheduleRun | null {
    const r = this.#db.prepare('SELECT * FROM schedule_runs WHERE schedule_id = ? AND account = ? ORDER BY fired_at DESC, rowid DESC LIMIT 1').get(scheduleId, account) as RunRow | undefined;
    return r ? toRun(r) : null;
  }

  runOfJob(jobId: string): ScheduleRun | null {
    const r = this.#db.prepare('SELECT * FROM schedule_runs WHERE job_id = ?').get(jobId) as RunRow | undefined;
    return r ? toRun(r) : null;
  }

  snapshotIds(scheduleId: string, account: string): string[] {
    return (this.#db.prepare(`SELECT r.snapshot_id AS id FROM schedule_runs r JOIN snapshots s ON s.id = r.snapshot_id
      WHERE r.schedule_id = ? AND r.account = ? ORDER BY s.created_at DESC`).all(scheduleId, account) as { id: string }[]).map((r) => r.id);
  }
}
