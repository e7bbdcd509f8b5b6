import type { Db } from './database.ts';
import { parseJson } from './json-columns.ts';
import type { AccountRow, AccountSpec } from '../core/model.ts';

interface Row { name: string; uid: number; gid: number; home: string; package: string | null; spec: string; created_at: number; updated_at: number }

const EXTRA_KEYS = ['databases', 'mailboxes', 'zones', 'excludes', 'docroots', 'notifications'] as const;

export class AccountsRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #toRow(r: Row): AccountRow {
    const extra = parseJson<Partial<AccountSpec>>(r.spec, {});
    return { name: r.name, uid: r.uid, gid: r.gid, home: r.home, ...(r.package ? { package: r.package } : {}), ...extra, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  put(spec: AccountSpec, now: number): AccountRow {
    const extra = Object.fromEntries(EXTRA_KEYS.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]]));
    this.#db.prepare(`INSERT INTO accounts (name, uid, gid, home, package, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET uid = excluded.uid, gid = excluded.gid, home = excluded.home, package = excluded.package, spec = excluded.spec, updated_at = excluded.updated_at`)
      .run(spec.name, spec.uid, spec.gid, spec.home, spec.package ?? null, JSON.stringify(extra), now, now);
    return this.get(spec.name)!;
  }

  get(name: string): AccountRow | null {
    const r = this.#db.prepare('SELECT * FROM accounts WHERE name = ?').get(name) as Row | undefined;
    return r ? this.#toRow(r) : null;
  }

  list(filter: { package?: string } = {}): AccountRow[] {
    const rows = filter.package === undefined
      ? this.#db.prepare('SELECT * FROM accounts ORDER BY name').all()
      : this.#db.prepare('SELECT * FROM accounts WHERE package = ? ORDER BY name').all(filter.package);
    return (rows as Row[]).map((r) => this.#toRow(r));
  }

  delete(name: string): boolean {
    return this.#db.prepare('DELETE FROM accounts WHERE name = ?').run(name).changes > 0;
  }
}
