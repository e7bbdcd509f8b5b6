import { AgentError } from '../../errors/index.ts';
import { validateAccount } from '../../core/accounts/validate-account.ts';
import { tenantWindow, DAY_MS } from '../../core/policy/tenant-window.ts';
import { packageInForce } from '../../core/policy/package-in-force.ts';
import { tenantRefusal } from '../../core/policy/tenant-refusal.ts';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/account.ts';
import type { RpcServices } from '../services.ts';
import { requireAccount } from './access.ts';
import { accountView } from './views.ts';

export function accountHandlers(s: RpcServices) {
  return {
    'account.put': (p: ParamsOf<typeof M.accountPut>) => {
      validateAccount(p, (name) => s.store.packages.get(name) !== null, (uid) => s.store.accounts.list().find((a) => a.name !== p.name && a.uid === uid)?.name ?? null);
      s.notifications.validateUrls(p.notifications?.urls, 'notifications.urls');
      return accountView(s.store.accounts.put(p, s.clock.now()), s.notifications.redactUrl);
    },
    'account.get': (p: ParamsOf<typeof M.accountGet>) => accountView(requireAccount(s, p.name), s.notifications.redactUrl),
    'account.list': (p: ParamsOf<typeof M.accountList>) => ({ accounts: s.store.accounts.list(p).map((a) => accountView(a, s.notifications.redactUrl)) }),
    'account.delete': (p: ParamsOf<typeof M.accountDelete>) => {
      requireAccount(s, p.name);
      if (s.queue.runningJobs().some((j) => j.account === p.name)) {
        throw new AgentError('AGENT_E_CONFLICT', `account ${p.name} has a running job; cancel it first`);
      }
      return { deleted: s.store.accounts.delete(p.name) };
    },
    'account.capabilities': (p: ParamsOf<typeof M.accountCapabilities>) => {
      const account = requireAccount(s, p.actor.account);
      const { name: packageName, settings: pkg } = packageInForce(account, (name) => s.store.packages.get(name));
      const now = s.clock.now();
      const w = tenantWindow(pkg, s.store.rateLedger.tenantSince(account.name, now - DAY_MS));
      // The same verdict backup.create would give, so the panel can say why its button is hidden.
      const refusal = tenantRefusal(account.name, packageName, pkg, w);
      return {
        canBackup: refusal === null,
        ...(refusal ?? {}),
        perDay: w.perDay,
        usedToday: w.usedToday,
        nextAllowedAt: w.nextAllowedAt === null ? null : new Date(w.nextAllowedAt).toISOString(),
        maxBytes: pkg.tenantBackups.maxBytes,
        downloadTtlSeconds: pkg.downloadTtlSeconds,
      };
    },
  };
}
