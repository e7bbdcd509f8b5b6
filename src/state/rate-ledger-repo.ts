import type { Db } from './database.ts';

/** Snapshots taken per account, for the tenant's sliding 24-hour window. */
export class RateLedgerRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  record(account: string, actor: 'tenant' | 'admin', jobId: string | null, at: number): number {
    return Number(this.#db.prepare('INSERT INTO rate_ledger (account, actor, job_id, at) VALUES (?, ?, ?, ?)').run(account, actor, jobId, at).lastInsertRowid);
  }

  attachJob(id: number, jobId: string): void {
    this.#db.prepare('UPDATE rate_ledger SET job_id = ? WHERE id = ?').run(jobId, id);
  }

  remove(id: number): void {
    this.#db.prepare('DELETE FROM rate_ledger WHERE id = ?').run(id);
  }

  /** Tenant entries at or after `since`, oldest first. */
  tenantSince(account: string, since: number): number[] {
    return (this.#db.prepare(`SELECT at FROM rate_ledger WHERE account = ? AND actor = 'tenant' AND at >= ? ORDER BY at`).all(account, since) as { at: number }[]).map((r) => r.at);
  }

  reset(account: string): number {
    return this.#db.prepare(`DELETE FROM rate_ledger WHERE account = ? AND actor = 'tenant'`).run(account).changes;
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }
}
