// The destination and schedule operations the RPC handlers reach through RpcServices.
import type { Logger } from 'pino';
import type { Store } from '../core/store.ts';
import type { DestinationOperations, ScheduleOperations } from '../rpc/services.ts';
import { AgentError, toAgentError } from '../errors/index.ts';
import { createDestination, publicSettings, testDestination, validateSettings, type DestinationType, type RetryPolicy } from '../storage/index.ts';
import { compileCron, nextFires, type Scheduler } from '../scheduler/index.ts';
import { openNamedDestination, type UploadDeps } from './backup/upload.ts';

export function destinationOperations(deps: { store: Store; log: Logger; onFailure?: UploadDeps['onFailure'] }): DestinationOperations {
  // A probe answers quickly: one attempt, so an unreachable peer is reported, not retried for minutes.
  const probeRetry = (): RetryPolicy => ({ attempts: 1, baseDelayMs: 1 });
  return {
    validate: (type, settings) => validateSettings(type as DestinationType, settings) as Record<string, unknown>,
    publicSettings: (type, settings) => publicSettings(type as DestinationType, settings),
    async checkTarget(name, type, settings) {
      const dest = await createDestination({ name, type, settings });
      try {
        await dest.checkTarget?.();
      } catch (err) {
        const e = toAgentError(err);
        throw new AgentError('AGENT_E_INVALID', e.message, { cause: e, data: { field: typeof e.data.field === 'string' ? e.data.field : 'settings' } });
      } finally {
        await dest.close().catch(() => {});
      }
    },
    async test(name) {
      const dest = await openNamedDestination({ destinations: deps.store.destinations, log: deps.log, retry: probeRetry, onFailure: deps.onFailure }, name);
      try {
        // The bare (verifying) backend: its own error codes (AUTH, UNREACHABLE, ...) reach the caller.
        return { destination: name, type: dest.type, ...(await testDestination(dest.inner)) };
      } finally {
        await dest.close().catch(() => {});
      }
    },
  };
}

export function scheduleOperations(scheduler: Scheduler, clock: { now(): number }): ScheduleOperations {
  return {
    validate(cron, timezone) {
      compileCron(cron, timezone);
      if (!nextFires(cron, timezone, clock.now(), 1).length) {
        throw new AgentError('AGENT_E_INVALID', `cron ${JSON.stringify(cron)} never fires again`, { data: { field: 'cron' } });
      }
    },
    nextFires: (cron, timezone, count) => nextFires(cron, timezone, clock.now(), count),
    nextFireAt: (id) => scheduler.nextFireAt(id),
    refresh: (id) => scheduler.refresh(id),
    runNow: (schedule) => scheduler.runNow(schedule),
  };
}
