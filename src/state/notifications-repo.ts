import type { Db } from './database.ts';
import type { NotificationDelivery, NotificationStore } from '../core/store.ts';

interface Row { at: number; url: string; service: string; attempt: number; ok: number; status: number | null; error: string | null; job_id: string | null }

export class NotificationsRepo implements NotificationStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  record(d: NotificationDelivery): void {
    this.#db.prepare('INSERT INTO notifications (at, url, service, attempt, ok, status, error, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(d.at, d.url, d.service, d.attempt, d.ok ? 1 : 0, d.status, d.error, d.jobId);
  }

  recent(limit: number): NotificationDelivery[] {
    return (this.#db.prepare('SELECT * FROM notifications ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
      at: r.at, url: r.url, service: r.service, attempt: r.attempt, ok: r.ok === 1, status: r.status, error: r.error, jobId: r.job_id,
    }));
  }

  trim(keep: number): void {
    this.#db.prepare('DELETE FROM notifications WHERE id <= (SELECT id FROM notifications ORDER BY id DESC LIMIT 1 OFFSET ?)').run(keep);
  }
}
