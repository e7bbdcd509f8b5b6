import { randomUUID } from 'node:crypto';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/events.ts';
import type { CallContext } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { assertOwnAccount } from './access.ts';

/** Subscriptions live as long as the connection that made them, and keep it from idling out. */
export function eventHandlers(s: RpcServices) {
  const owners = new Map<string, { connection: number; release: () => void }>();
  return {
    'events.subscribe': (p: ParamsOf<typeof M.eventsSubscribe>, ctx: CallContext) => {
      if (p.account !== undefined) assertOwnAccount(p.actor, p.account);
      const id = randomUUID();
      const unsubscribe = s.events.subscribe({
        id,
        account: p.actor?.account ?? p.account ?? null,
        types: p.types ? new Set(p.types) : null,
        deliver: (e) => ctx.connection.push(e.type, { ...e.payload, account: e.account, subscriptionId: id }),
      });
      const release = ctx.connection.holdOpen();
      owners.set(id, { connection: ctx.connection.id, release });
      ctx.connection.onClose(() => {
        unsubscribe();
        release();
        owners.delete(id);
      });
      return { subscriptionId: id };
    },
    'events.unsubscribe': (p: ParamsOf<typeof M.eventsUnsubscribe>, ctx: CallContext) => {
      // Only the connection that subscribed may end it; others learn nothing about the id.
      const owner = owners.get(p.subscriptionId);
      if (owner?.connection !== ctx.connection.id) return { unsubscribed: false };
      owners.delete(p.subscriptionId);
      owner.release();
      return { unsubscribed: s.events.unsubscribe(p.subscriptionId) };
    },
  };
}
