// Grandfather-father-son pruning per schedule x account x destination, after each successful
// scheduled run. Copies to drop are first marked pending_deletion (visible in snapshot.get),
// then deleted from the destination, then forgotten; a failed delete stays pending and is
// retried after the next run. selectForPruning never drops the newest and refuses to drop
// everything; a refusal is logged, published and notified.
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Destination } from '../core/destination.ts';
import type { EventBus } from '../core/events/event-bus.ts';
import type { SnapshotRow } from '../core/model.ts';
import type { ScheduleRow, Store } from '../core/store.ts';
import { selectForPruning } from '../core/retention.ts';
import type { SpoolLayout } from './backup/spool-layout.ts';

export interface RetentionDeps {
  store: Store;
  log: Logger;
  events: EventBus;
  spool: SpoolLayout;
  open(destination: string): Promise<Destination>;
  /** Sends a notice to the URLs a run of this account and schedule notifies (the refusal cases). */
  notice?(n: { title: string; body: string; level: 'error' | 'info'; account: string; scheduleId: string }): void;
}

export interface RetentionOutcome {
  destination: string;
  kept: string[];
  pruned: string[];
  /** Copies marked pending_deletion whose delete failed; retried next time. */
  pending: string[];
  refused?: string;
}

export async function applyRetention(deps: RetentionDeps, schedule: ScheduleRow, account: string): Promise<RetentionOutcome[]> {
  const policy = schedule.retention ?? {};
  // No rule at all: keep everything. Rules that are all 0 reach selectForPruning, which refuses.
  if (!Object.values(policy).some((n) => typeof n === 'number')) return [];
  const snapshots = deps.store.schedules.snapshotIds(schedule.id, account)
    .map((id) => deps.store.snapshots.get(id))
    .filter((s): s is SnapshotRow => s !== null);
  const out: RetentionOutcome[] = [];
  for (const destination of schedule.destinations) {
    const here = (status: 'stored' | 'pending_deletion') => snapshots.filter((s) => s.locations.some((l) => l.destination === destination && l.status === status));
    const decision = selectForPruning(here('stored'), policy, schedule.timezone);
    const outcome: RetentionOutcome = { destination, kept: decision.keep.map((s) => s.id), pruned: [], pending: [] };
    out.push(outcome);
    const ctx = { scheduleId: schedule.id, account, destination };
    if (decision.refused) {
      outcome.refused = decision.refused;
      reportRefusal(deps, ctx, `retention of schedule ${schedule.id} for ${account} at ${destination} refused: ${decision.refused}`);
      continue;
    }
    const toDelete = [...decision.prune, ...here('pending_deletion')];
    if (!toDelete.length) continue;
    for (const s of decision.prune) deps.store.destinations.setLocationStatus(s.id, destination, 'pending_deletion');
    let dest: Destination;
    try {
      dest = await deps.open(destination);
    } catch (err) {
      deps.log.error({ ...ctx, err: (err as Error).message }, 'retention could not open the destination; copies stay pending deletion');
      outcome.pending.push(...toDelete.map((s) => s.id));
      continue;
    }
    try {
      for (const s of toDelete) {
        try {
          for (const l of s.locations.filter((x) => x.destination === destination)) await dest.delete(l.object);
          deps.store.destinations.dropLocations(s.id, destination);
          outcome.pruned.push(s.id);
          forgetIfGone(deps, s.id);
        } catch (err) {
          outcome.pending.push(s.id);
          deps.log.error({ ...ctx, snapshotId: s.id, err: (err as Error).message }, 'retention could not delete a copy; it stays pending deletion');
        }
      }
    } finally {
      await dest.close().catch(() => {});
    }
    deps.log.info({ ...ctx, kept: outcome.kept.length, pruned: outcome.pruned.length, pending: outcome.pending.length }, 'retention applied');
  }
  return out;
}

/** A snapshot with no copy left anywhere (no location, no spool file) is no longer listed. */
function forgetIfGone(deps: RetentionDeps, snapshotId: string): void {
  const s = deps.store.snapshots.get(snapshotId);
  if (!s || s.locations.length) return;
  if (deps.spool.paths(s).some((p) => fs.existsSync(p))) return;
  deps.store.snapshots.delete(snapshotId);
}

function reportRefusal(deps: RetentionDeps, ctx: { account: string; scheduleId: string; destination: string }, message: string): void {
  deps.log.warn(ctx, message);
  deps.events.publish({ type: 'retention.refused', account: null, payload: { ...ctx, message } });
  deps.notice?.({ title: `Retention of ${ctx.account} refused`, body: message, level: 'error', account: ctx.account, scheduleId: ctx.scheduleId });
}
