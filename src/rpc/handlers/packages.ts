import { AgentError } from '../../errors/index.ts';
import { DEFAULT_PACKAGE } from '../../core/model.ts';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/package.ts';
import type { RpcServices } from '../services.ts';
import { packageView } from './views.ts';

function requirePackage(s: RpcServices, name: string) {
  const p = s.store.packages.get(name);
  if (!p) throw new AgentError('AGENT_E_NOT_FOUND', `package ${name} not found`);
  return p;
}

export function packageHandlers(s: RpcServices) {
  return {
    'package.put': (p: ParamsOf<typeof M.packagePut>) => {
      s.notifications.validateUrls(p.notifications?.urls, 'notifications.urls');
      return packageView(s.store.packages.put(p.name, {
      tenantBackups: { ...DEFAULT_PACKAGE.tenantBackups, ...p.tenantBackups },
      downloadTtlSeconds: p.downloadTtlSeconds ?? DEFAULT_PACKAGE.downloadTtlSeconds,
      tenantRestore: p.tenantRestore ?? DEFAULT_PACKAGE.tenantRestore,
      ...(p.notifications ? { notifications: p.notifications } : {}),
      }, s.clock.now()), s.notifications.redactUrl);
    },
    'package.get': (p: ParamsOf<typeof M.packageGet>) => packageView(requirePackage(s, p.name), s.notifications.redactUrl),
    'package.list': () => ({ packages: s.store.packages.list().map((x) => packageView(x, s.notifications.redactUrl)) }),
    'package.delete': (p: ParamsOf<typeof M.packageDelete>) => {
      const pkg = requirePackage(s, p.name);
      if (pkg.accounts > 0) throw new AgentError('AGENT_E_CONFLICT', `package ${p.name} is used by ${pkg.accounts} account(s)`, { data: { accounts: pkg.accounts } });
      return { deleted: s.store.packages.delete(p.name) };
    },
  };
}
