import type { Db } from './database.ts';
import { parseJson } from './json-columns.ts';
import type { DestinationRow, DestinationStore } from '../core/store.ts';

interface Row { name: string; type: string; settings: string; created_at: number; updated_at: number }

export class DestinationsRepo implements DestinationStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #toRow(r: Row): DestinationRow {
    return { name: r.name, type: r.type, settings: parseJson(r.settings, {}), createdAt: r.created_at, updatedAt: r.updated_at };
  }

  put(name: string, type: string, settings: Record<string, unknown>, now: number): DestinationRow {
    this.#db.prepare(`INSERT INTO destinations (name, type, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET type = excluded.type, settings = excluded.settings, updated_at = excluded.updated_at`)
      .run(name, type, JSON.stringify(settings), now, now);
    return this.get(name)!;
  }

  get(name: string): DestinationRow | null {
    const r = this.#db.prepare('SELECT * FROM destinations WHERE name = ?').get(name) as Row | undefined;
    return r ? this.#toRow(r) : null;
  }

  list(): DestinationRow[] {
    return (this.#db.prepare('SELECT * FROM destinations ORDER BY name').all() as Row[]).map((r) => this.#toRow(r));
  }

  delete(name: string): boolean {
    return this.#db.prepare('DELETE FROM destinations WHERE name = ?').run(name).changes > 0;
  }

  usedBy(name: string): string[] {
    return (this.#db.prepare('SELECT schedule_id FROM schedule_destinations WHERE destination = ? ORDER BY schedule_id').all(name) as { schedule_id: string }[]).map((r) => r.schedule_id);
  }

  setLocationStatus(snapshotId: string, destination: string, status: 'stored' | 'pending_deletion'): void {
    this.#db.prepare('UPDATE snapshot_locations SET status = ? WHERE snapshot_id = ? AND destination = ?').run(status, snapshotId, destination);
  }

  dropLocations(snapshotId: string, destination: string): void {
    this.#db.prepare('DELETE FROM snapshot_locations WHERE snapshot_id = ? AND destination = ?').run(snapshotId, destination);
  }
}
