import fs from 'node:fs';
import type { Logger } from 'pino';
import { verifyArchive } from '../../archive/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import type { JobQueue } from '../../core/jobs/index.ts';
import type { SnapshotRow } from '../../core/model.ts';
import type { Store } from '../../core/store.ts';
import type { SnapshotOperations } from '../../rpc/services.ts';
import type { SpoolLayout } from './spool-layout.ts';

/** Snapshot files in the spool: where they are, checking them, removing them, purging them. */
export class SnapshotService implements SnapshotOperations {
  readonly #store: Store;
  readonly #spool: SpoolLayout;
  readonly #events: EventBus;
  readonly #clock: Clock;
  readonly #queue: JobQueue;
  readonly #log: Logger;

  constructor(deps: { store: Store; spool: SpoolLayout; events: EventBus; clock: Clock; queue: JobQueue; log: Logger }) {
    this.#store = deps.store;
    this.#spool = deps.spool;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#queue = deps.queue;
    this.#log = deps.log;
  }

  paths(s: SnapshotRow): string[] {
    return this.#spool.paths(s);
  }

  /** The parts with their sizes; throws when one is missing from the spool. */
  files(s: SnapshotRow): { path: string; size: number }[] {
    return this.paths(s).map((p) => ({ path: p, size: fs.statSync(p).size }));
  }

  async verify(s: SnapshotRow): Promise<{ ok: boolean; sha256: string; files: number; entries: number }> {
    const r = await verifyArchive(this.paths(s), { sha256: s.sha256 });
    return { ok: true, sha256: r.sha256, files: r.files, entries: r.entries! };
  }

  async remove(s: SnapshotRow, reason: 'deleted' | 'purged'): Promise<void> {
    this.#spool.removeSnapshotFiles(s.id);
    this.#store.snapshots.delete(s.id);
    this.#log.info({ snapshotId: s.id, account: s.account, reason }, 'snapshot removed from the spool');
    if (reason === 'purged') this.#events.publish({ type: 'snapshot.purged', account: s.account, payload: { snapshotId: s.id, reason: 'expired' } });
  }

  /**
   * The purge sweep: temporary snapshots past their time, temporary snapshots fully downloaded
   * through a link that has since expired, and spool files no row knows.
   */
  async sweep(): Promise<{ purged: string[]; orphans: string[] }> {
    const now = this.#clock.now();
    const purged: string[] = [];
    const due = new Map(this.#store.snapshots.expired(now).map((s) => [s.id, s]));
    for (const id of this.#store.downloadLinks.downloadedAndExpired(now)) {
      const s = this.#store.snapshots.get(id);
      if (s?.temporary) due.set(id, s);
    }
    for (const s of due.values()) {
      await this.remove(s, 'purged');
      purged.push(s.id);
    }
    const active = new Set(this.#queue.runningJobs().map((j) => j.snapshotId).filter((x): x is string => !!x));
    const orphans = this.#spool.orphans(this.#store.snapshots.knownParts(), active);
    for (const name of orphans) fs.rmSync(this.#spool.archivePath(name), { force: true });
    if (orphans.length) this.#log.warn({ files: orphans }, 'removed spool files no snapshot knows');
    this.#store.downloadLinks.deleteExpiredBefore(now - 7 * 24 * 3600_000);
    return { purged, orphans };
  }
}
