import type { Db } from './database.ts';
import type { RestoreRequestRow, RestoreRequestStore } from '../core/store.ts';

interface Row { id: string; account: string; snapshot_id: string; params: string; actor: string | null; status: RestoreRequestRow['status']; reason: string | null; created_at: number; decided_at: number | null }

const toRow = (r: Row): RestoreRequestRow => ({
  id: r.id, account: r.account, snapshotId: r.snapshot_id, params: JSON.parse(r.params) as Record<string, unknown>,
  actor: r.actor === null ? null : JSON.parse(r.actor) as Record<string, unknown>, status: r.status, reason: r.reason,
  createdAt: r.created_at, decidedAt: r.decided_at,
});

export class RestoreRequestsRepo implements RestoreRequestStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  insert(r: Omit<RestoreRequestRow, 'status' | 'reason' | 'decidedAt'>): RestoreRequestRow {
    this.#db.prepare('INSERT INTO restore_requests (id, account, snapshot_id, params, actor, status, created_at) VALUES (?, ?, ?, ?, ?, \'pending\', ?)')
      .run(r.id, r.account, r.snapshotId, JSON.stringify(r.params), r.actor === null ? null : JSON.stringify(r.actor), r.createdAt);
    return this.get(r.id)!;
  }

  get(id: string): RestoreRequestRow | null {
    const r = this.#db.prepare('SELECT * FROM restore_requests WHERE id = ?').get(id) as Row | undefined;
    return r ? toRow(r) : null;
  }

  pending(): RestoreRequestRow[] {
    return (this.#db.prepare('SELECT * FROM restore_requests WHERE status = \'pending\' ORDER BY created_at').all() as Row[]).map(toRow);
  }

  countPending(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM restore_requests WHERE status = \'pending\'').get() as { n: number }).n;
  }

  undecided(q: { account?: string; status?: 'pending' | 'rejected'; limit: number }): RestoreRequestRow[] {
    const rows = this.#db.prepare(`SELECT * FROM restore_requests WHERE status IN ('pending', 'rejected')
      AND (@status IS NULL OR status = @status) AND (@account IS NULL OR account = @account) ORDER BY created_at DESC LIMIT @limit`)
      .all({ status: q.status ?? null, account: q.account ?? null, limit: q.limit }) as Row[];
    return rows.map(toRow);
  }

  /** Moves a pending request on; false when it was no longer pending (decided twice). */
  decide(id: string, status: 'approved' | 'rejected', reason: string | null, at: number): boolean {
    return this.#db.prepare('UPDATE restore_requests SET status = ?, reason = ?, decided_at = ? WHERE id = ? AND status = \'pending\'').run(status, reason, at, id).changes > 0;
  }
}
