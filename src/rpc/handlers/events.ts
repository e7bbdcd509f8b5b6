import { randomUUID } from 'node:crypto';
import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/events.ts';
import type { CallContext } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { assertOwnAccount } from './access.ts';

/** Subscriptions live as long as the connection that made them. */
export function eventHandlers(s: RpcServices) {
  const owners = new Map<string, number>();
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
      owners.set(id, ctx.connection.id);
      ctx.connection.onClose(() => {
        unsubscribe();
        owners.delete(id);
      });
      return { subscriptionId: id };
    },
    'events.unsubscribe': (p: ParamsOf<typeof M.eventsUnsubscribe>, ctx: CallContext) => {
      // Only the connection that subscribed may end it; others learn nothing about the id.
      if (owners.get(p.subscriptionId) !== ctx.connection.id) return { unsubscribed: false };
      owners.delete(p.subscriptionId);
      return { unsubscribed: s.events.unsubscribe(p.subscriptionId) };
    },
  };
}
