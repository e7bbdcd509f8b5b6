import { AgentError } from '../../errors/index.ts';
import type { DestinationRow } from '../../core/store.ts';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/destination.ts';
import type { RpcServices } from '../services.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function requireDestination(s: RpcServices, name: string): DestinationRow {
  const d = s.store.destinations.get(name);
  if (!d) throw new AgentError('AGENT_E_NOT_FOUND', `destination ${name} not found`, { data: { field: 'name' } });
  return d;
}

function destinationView(s: RpcServices, d: DestinationRow) {
  return { name: d.name, type: d.type, settings: s.destinations.publicSettings(d.type, d.settings), usedBy: s.store.destinations.usedBy(d.name), createdAt: iso(d.createdAt), updatedAt: iso(d.updatedAt) };
}

export function destinationHandlers(s: RpcServices) {
  return {
    'destination.put': async (p: ParamsOf<typeof M.destinationPut>) => {
      const { name, type, ...settings } = p as Record<string, unknown> & { name: string; type: string };
      const valid = s.destinations.validate(type, settings);
      await s.destinations.checkTarget(name, type, valid);
      return destinationView(s, s.store.destinations.put(name, type, valid, s.clock.now()));
    },
    'destination.get': (p: ParamsOf<typeof M.destinationGet>) => destinationView(s, requireDestination(s, p.name)),
    'destination.list': () => ({ destinations: s.store.destinations.list().map((d) => destinationView(s, d)) }),
    'destination.delete': (p: ParamsOf<typeof M.destinationDelete>) => {
      requireDestination(s, p.name);
      const usedBy = s.store.destinations.usedBy(p.name);
      if (usedBy.length) throw new AgentError('AGENT_E_CONFLICT', `destination ${p.name} is used by schedule(s) ${usedBy.join(', ')}`, { data: { schedules: usedBy } });
      return { deleted: s.store.destinations.delete(p.name) };
    },
    'destination.test': (p: ParamsOf<typeof M.destinationTest>) => {
      requireDestination(s, p.name);
      return s.destinations.test(p.name);
    },
  };
}
