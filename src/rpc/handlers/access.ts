// Tenant isolation in one place: what an actor may name, and what it is told about the rest.
import { AgentError } from '../../errors/index.ts';
import type { JobRecord } from '../../core/jobs/index.ts';
import type { SnapshotRow } from '../../core/model.ts';
import type { Actor } from '../call-context.ts';
import type { RpcServices } from '../services.ts';

/** An actor may only name its own account. */
export function assertOwnAccount(actor: Actor | undefined, account: string): void {
  if (actor && actor.account !== account) {
    throw new AgentError('AGENT_E_FORBIDDEN', 'a tenant may only act on its own account', { data: { field: 'account' } });
  }
}

/** Another account's snapshot is reported as missing, so ids cannot be probed. */
export function visibleSnapshot(s: RpcServices, id: string, actor: Actor | undefined): SnapshotRow {
  const snap = s.store.snapshots.get(id);
  if (!snap || (actor && snap.account !== actor.account)) throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${id} not found`);
  return snap;
}

export function visibleJob(s: RpcServices, id: string, actor: Actor | undefined): JobRecord {
  const job = s.store.jobs.get(id);
  if (!job || (actor && job.account !== actor.account)) throw new AgentError('AGENT_E_NOT_FOUND', `job ${id} not found`);
  return job;
}

export function requireAccount(s: RpcServices, name: string) {
  const a = s.store.accounts.get(name);
  if (!a) throw new AgentError('AGENT_E_NOT_FOUND', `account ${name} not found`, { data: { field: 'account' } });
  return a;
}
