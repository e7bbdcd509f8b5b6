import type { Db } from './database.ts';
import { parseJson } from './json-columns.ts';
import { DEFAULT_PACKAGE, type PackageRow, type PackageSettings } from '../core/model.ts';

interface Row { name: string; settings: string; created_at: number; updated_at: number; accounts: number }

export class PackagesRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #toRow(r: Row): PackageRow {
    const s = parseJson<Partial<PackageSettings>>(r.settings, {});
    return {
      name: r.name,
      tenantBackups: { ...DEFAULT_PACKAGE.tenantBackups, ...s.tenantBackups },
      downloadTtlSeconds: s.downloadTtlSeconds ?? DEFAULT_PACKAGE.downloadTtlSeconds,
      tenantRestore: s.tenantRestore ?? DEFAULT_PACKAGE.tenantRestore,
      ...(s.notifications ? { notifications: s.notifications } : {}),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      accounts: r.accounts,
    };
  }

  put(name: string, settings: PackageSettings, now: number): PackageRow {
    this.#db.prepare(`INSERT INTO packages (name, settings, created_at, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`).run(name, JSON.stringify(settings), now, now);
    return this.get(name)!;
  }

  get(name: string): PackageRow | null {
    const r = this.#db.prepare(`SELECT p.*, (SELECT count(*) FROM accounts a WHERE a.package = p.name) AS accounts FROM packages p WHERE name = ?`).get(name) as Row | undefined;
    return r ? this.#toRow(r) : null;
  }

  list(): PackageRow[] {
    return (this.#db.prepare(`SELECT p.*, (SELECT count(*) FROM accounts a WHERE a.package = p.name) AS accounts FROM packages p ORDER BY name`).all() as Row[]).map((r) => this.#toRow(r));
  }

  delete(name: string): boolean {
    return this.#db.prepare('DELETE FROM packages WHERE name = ?').run(name).changes > 0;
  }
}
