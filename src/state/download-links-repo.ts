import type { Db } from './database.ts';
import type { DownloadLinkRow, DownloadLinkStore } from '../core/store.ts';

interface Row { token_hash: string; snapshot_id: string; account: string; session_hash: string; created_at: number; expires_at: number; completed_at: number | null }

const toRow = (r: Row): DownloadLinkRow => ({
  tokenHash: r.token_hash, snapshotId: r.snapshot_id, account: r.account, sessionHash: r.session_hash,
  createdAt: r.created_at, expiresAt: r.expires_at, completedAt: r.completed_at,
});

export class DownloadLinksRepo implements DownloadLinkStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  insert(l: Omit<DownloadLinkRow, 'completedAt'>): void {
    this.#db.prepare('INSERT INTO download_links (token_hash, snapshot_id, account, session_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(l.tokenHash, l.snapshotId, l.account, l.sessionHash, l.createdAt, l.expiresAt);
  }

  get(tokenHash: string): DownloadLinkRow | null {
    const r = this.#db.prepare('SELECT * FROM download_links WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return r ? toRow(r) : null;
  }

  markCompleted(tokenHash: string, at: number): boolean {
    return this.#db.prepare('UPDATE download_links SET completed_at = ? WHERE token_hash = ? AND completed_at IS NULL').run(at, tokenHash).changes > 0;
  }

  /** Snapshots fully downloaded through a link that has since expired. */
  downloadedAndExpired(now: number): string[] {
    return (this.#db.prepare('SELECT DISTINCT snapshot_id FROM download_links WHERE completed_at IS NOT NULL AND expires_at <= ?').all(now) as { snapshot_id: string }[]).map((r) => r.snapshot_id);
  }

  deleteExpiredBefore(at: number): number {
    return this.#db.prepare('DELETE FROM download_links WHERE expires_at < ?').run(at).changes;
  }
}
