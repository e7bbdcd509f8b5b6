import { AgentError } from '../../errors/index.ts';
import { DEFAULT_PACKAGE } from '../../core/model.ts';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/download.ts';
import type { RpcServices } from '../services.ts';
import { visibleSnapshot } from './access.ts';

export function downloadHandlers(s: RpcServices) {
  return {
    'download.create': (p: ParamsOf<typeof M.downloadCreate>) => {
      const snap = visibleSnapshot(s, p.snapshotId, p.actor);
      const session = p.actor?.session ?? p.session;
      if (!session) throw new AgentError('AGENT_E_INVALID', 'a download link is bound to a panel session: pass session', { data: { field: 'session' } });
      if (p.actor && p.session !== undefined && p.session !== p.actor.session) {
        throw new AgentError('AGENT_E_FORBIDDEN', 'a tenant link is bound to the actor\'s own session', { data: { field: 'session' } });
      }
      const account = s.store.accounts.get(snap.account);
      const pkg = (account?.package && s.store.packages.get(account.package)) || DEFAULT_PACKAGE;
      const link = s.downloads.createLink(snap, session, pkg.downloadTtlSeconds);
      return { url: link.url, path: link.path, expiresAt: new Date(link.expiresAt).toISOString() };
    },
  };
}
