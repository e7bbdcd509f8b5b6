import type { Db } from './database.ts';
import { parseJson } from './json-columns.ts';
import type { SnapshotLocation, SnapshotRow } from '../core/model.ts';

interface Row {
  id: string; account: string; kind: string; scope: string; status: 'complete' | 'deleting'; trigger: string; job_id: string | null;
  note: string | null; compression: 'gzip' | 'zstd'; bytes: number; sha256: string; files: number; parts: string; manifest: string;
  temporary: number; created_at: number; expires_at: number | null;
}

export class SnapshotsRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #toRow(r: Row): SnapshotRow {
    const locations = (this.#db.prepare('SELECT * FROM snapshot_locations WHERE snapshot_id = ? ORDER BY stored_at, rowid').all(r.id) as {
      destination: string; object: string; bytes: number; status: 'stored' | 'pending_deletion'; stored_at: number;
    }[]).map((l) => ({ destination: l.destination, object: l.object, bytes: l.bytes, status: l.status, storedAt: l.stored_at }));
    return {
      id: r.id, account: r.account, kind: r.kind, scope: r.scope, status: r.status, trigger: r.trigger, jobId: r.job_id, note: r.note,
      compression: r.compression, bytes: r.bytes, sha256: r.sha256, files: r.files, parts: parseJson(r.parts, []),
      manifest: parseJson(r.manifest, {}), temporary: r.temporary === 1, createdAt: r.created_at, expiresAt: r.expires_at, locations,
    };
  }

  /** Records a finished snapshot; until this row exists nothing lists it. */
  insert(s: Omit<SnapshotRow, 'locations' | 'status'>): SnapshotRow {
    this.#db.prepare(`INSERT INTO snapshots (id, account, kind, scope, status, trigger, job_id, note, compression, bytes, sha256, files, parts, manifest, temporary, created_at, expires_at)
      VALUES (@id, @account, @kind, @scope, 'complete', @trigger, @jobId, @note, @compression, @bytes, @sha256, @files, @parts, @manifest, @temporary, @createdAt, @expiresAt)`)
      .run({ ...s, parts: JSON.stringify(s.parts), manifest: JSON.stringify(s.manifest), temporary: s.temporary ? 1 : 0 });
    return this.get(s.id)!;
  }

  get(id: string): SnapshotRow | null {
    const r = this.#db.prepare('SELECT * FROM snapshots WHERE id = ?').get(id) as Row | undefined;
    return r ? this.#toRow(r) : null;
  }

  list(account: string): SnapshotRow[] {
    return (this.#db.prepare('SELECT * FROM snapshots WHERE account = ? ORDER BY created_at DESC, rowid DESC').all(account) as Row[]).map((r) => this.#toRow(r));
  }

  /** Temporary snapshots whose spool copy is due for purging at `now`. */
  expired(now: number): SnapshotRow[] {
    return (this.#db.prepare('SELECT * FROM snapshots WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at').all(now) as Row[]).map((r) => this.#toRow(r));
  }

  /** Every archive file name the database knows, for the orphan sweep. */
  knownParts(): Set<string> {
    const out = new Set<string>();
    for (const r of this.#db.prepare('SELECT parts FROM snapshots').all() as { parts: string }[]) for (const p of parseJson<string[]>(r.parts, [])) out.add(p);
    return out;
  }

  setExpiry(id: string, expiresAt: number | null): void {
    this.#db.prepare('UPDATE snapshots SET expires_at = ? WHERE id = ?').run(expiresAt, id);
  }

  addLocation(id: string, loc: SnapshotLocation): void {
    this.#db.prepare(`INSERT OR REPLACE INTO snapshot_locations (snapshot_id, destination, object, bytes, status, stored_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(id, loc.destination, loc.object, loc.bytes, loc.status, loc.storedAt);
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM snapshots WHERE id = ?').run(id).changes > 0;
  }
}
