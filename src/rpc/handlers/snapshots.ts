import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/snapshot.ts';
import type { CallContext } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { assertOwnAccount, visibleSnapshot } from './access.ts';
import { snapshotView } from './views.ts';

export function snapshotHandlers(s: RpcServices) {
  return {
    'snapshot.list': (p: ParamsOf<typeof M.snapshotList>, ctx: CallContext) => {
      assertOwnAccount(p.actor, p.account);
      return { snapshots: s.store.snapshots.list(p.account).map((snap) => snapshotView(snap, ctx.socket, () => s.snapshots.paths(snap))) };
    },
    'snapshot.get': (p: ParamsOf<typeof M.snapshotGet>, ctx: CallContext) => {
      const snap = visibleSnapshot(s, p.snapshotId, p.actor);
      return snapshotView(snap, ctx.socket, () => s.snapshots.paths(snap));
    },
    'snapshot.delete': async (p: ParamsOf<typeof M.snapshotDelete>) => {
      await s.snapshots.remove(visibleSnapshot(s, p.snapshotId, p.actor), 'deleted');
      return { deleted: true };
    },
    'snapshot.verify': (p: ParamsOf<typeof M.snapshotVerify>) => s.snapshots.verify(visibleSnapshot(s, p.snapshotId, p.actor)),
  };
}
