import { AgentError } from '../../errors/index.ts';
import type { ScheduleRow, ScheduleSpec } from '../../core/store.ts';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/schedule.ts';
import type { RpcServices } from '../services.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function requireSchedule(s: RpcServices, id: string): ScheduleRow {
  const row = s.store.schedules.get(id);
  if (!row) throw new AgentError('AGENT_E_NOT_FOUND', `schedule ${id} not found`, { data: { field: 'id' } });
  return row;
}

function scheduleView(s: RpcServices, r: ScheduleRow) {
  const next = r.enabled ? s.schedules.nextFireAt(r.id) : null;
  return {
    id: r.id, cron: r.cron, timezone: r.timezone, target: r.target, scope: r.scope, compression: r.compression, destinations: r.destinations,
    retention: r.retention, ...(r.jitterSeconds !== undefined ? { jitterSeconds: r.jitterSeconds } : {}), enabled: r.enabled,
    ...(r.notifications ? { notifications: { ...r.notifications, ...(r.notifications.urls ? { urls: r.notifications.urls.map(s.notifications.redactUrl) } : {}) } } : {}),
    lastFireAt: iso(r.lastFireAt), nextFireAt: iso(next), createdAt: iso(r.createdAt)!, updatedAt: iso(r.updatedAt)!,
  };
}

export function scheduleHandlers(s: RpcServices) {
  return {
    'schedule.put': (p: ParamsOf<typeof M.schedulePut>) => {
      const timezone = p.timezone ?? 'UTC';
      s.notifications.validateUrls(p.notifications?.urls, 'notifications.urls');
      s.schedules.validate(p.cron, timezone);
      p.destinations.forEach((d, i) => {
        if (!s.store.destinations.get(d)) throw new AgentError('AGENT_E_NOT_FOUND', `destination ${d} not found`, { data: { field: `destinations.${i}` } });
      });
      if ('account' in p.target && !s.store.accounts.get(p.target.account)) {
        throw new AgentError('AGENT_E_NOT_FOUND', `account ${p.target.account} not found`, { data: { field: 'target.account' } });
      }
      if ('package' in p.target && !s.store.packages.get(p.target.package)) {
        throw new AgentError('AGENT_E_NOT_FOUND', `package ${p.target.package} not found`, { data: { field: 'target.package' } });
      }
      const spec: ScheduleSpec = {
        id: p.id, cron: p.cron, timezone, target: p.target, scope: p.scope ?? 'full', compression: p.compression ?? 'zstd',
        destinations: p.destinations, retention: p.retention ?? {}, ...(p.jitterSeconds !== undefined ? { jitterSeconds: p.jitterSeconds } : {}),
        enabled: p.enabled ?? true, ...(p.notifications ? { notifications: p.notifications } : {}),
      };
      const row = s.store.schedules.put(spec, s.clock.now());
      s.schedules.refresh(row.id);
      return scheduleView(s, row);
    },
    'schedule.get': (p: ParamsOf<typeof M.scheduleGet>) => {
      const r = requireSchedule(s, p.id);
      return { ...scheduleView(s, r), nextFires: s.schedules.nextFires(r.cron, r.timezone, 5).map((t) => iso(t)!) };
    },
    'schedule.list': () => ({ schedules: s.store.schedules.list().map((r) => scheduleView(s, r)) }),
    'schedule.delete': (p: ParamsOf<typeof M.scheduleDelete>) => {
      requireSchedule(s, p.id);
      const deleted = s.store.schedules.delete(p.id);
      s.schedules.refresh(p.id);
      return { deleted };
    },
    'schedule.run': (p: ParamsOf<typeof M.scheduleRun>) => s.schedules.runNow(requireSchedule(s, p.id)),
  };
}
