import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/notify.ts';
import type { RpcServices } from '../services.ts';

export function notifyHandlers(s: RpcServices) {
  return {
    'notify.test': (p: ParamsOf<typeof M.notifyTest>) => s.notifications.test(p.url, p.dryRun ?? false),
    'notify.history': (p: ParamsOf<typeof M.notifyHistory>) => ({
      deliveries: s.notifications.history(p.limit ?? 50).map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
    }),
  };
}
