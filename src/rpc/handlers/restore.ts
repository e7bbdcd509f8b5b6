import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/restore.ts';
import type { RpcServices } from '../services.ts';
import { assertOwnAccount, visibleSnapshot } from './access.ts';

export function restoreHandlers(s: RpcServices) {
  return {
    'restore.create': (p: ParamsOf<typeof M.restoreCreate>) => {
      const snap = visibleSnapshot(s, p.snapshotId, p.actor);
      assertOwnAccount(p.actor, p.target?.account ?? snap.account);
      return s.restores.create({ snapshotId: p.snapshotId, parts: p.parts, target: p.target, source: p.source, actor: p.actor });
    },
    'restore.approve': (p: ParamsOf<typeof M.restoreApprove>) => s.restores.approve(p.jobId),
    'restore.reject': (p: ParamsOf<typeof M.restoreReject>) => s.restores.reject(p.jobId, p.reason),
    'snapshot.import': (p: ParamsOf<typeof M.snapshotImport>) => s.restores.importArchive(p.path, p.account),
  };
}
