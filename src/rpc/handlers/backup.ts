import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/backup.ts';
import type { CallContext } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { AgentError } from '../../errors/index.ts';
import { assertOwnAccount, requireAccount } from './access.ts';

export function backupHandlers(s: RpcServices) {
  return {
    'backup.create': (p: ParamsOf<typeof M.backupCreate>, _ctx: CallContext) => {
      assertOwnAccount(p.actor, p.account);
      if (p.actor && p.destinations?.length) {
        throw new AgentError('AGENT_E_FORBIDDEN', 'tenants cannot choose off-host destinations', { data: { field: 'destinations' } });
      }
      return s.backups.create({
        account: p.account,
        scope: p.scope ?? 'full',
        compression: p.compression ?? 'gzip',
        splitSize: p.splitSize === undefined ? undefined : p.splitSize * 1024,
        note: p.note,
        prefix: p.prefix,
        destinations: p.destinations,
        trigger: p.actor ? 'tenant' : 'admin',
      });
    },
    'backup.estimate': (p: ParamsOf<typeof M.backupEstimate>) => {
      assertOwnAccount(p.actor, p.account);
      return s.backups.estimate(p.account, p.scope ?? 'full');
    },
    'limits.reset': (p: ParamsOf<typeof M.limitsReset>) => {
      requireAccount(s, p.account);
      return { cleared: s.store.rateLedger.reset(p.account) };
    },
  };
}
