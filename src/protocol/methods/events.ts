import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { OptionalActor } from '../common.ts';

export const EVENT_TYPES = ['job.progress', 'job.finished', 'snapshot.ready', 'snapshot.purged', 'download.completed', 'restore.pending', 'restore.finished'] as const;

export const eventsSubscribe = defineMethod({
  name: 'events.subscribe',
  scope: 'tenant',
  summary: 'Push events to this connection as JSON-RPC notifications (method = event type, params = payload).',
  description: 'A tenant subscription (actor given) only receives its own account\'s events. A slow reader never blocks the daemon: past a bounded backlog, events are dropped and an `events.dropped` notification with the count follows.',
  params: Type.Object({
    types: Type.Optional(Type.Array(Type.Union(EVENT_TYPES.map((e) => Type.Literal(e))), { uniqueItems: true })),
    account: Type.Optional(Type.String({ description: 'Admin only: one account\'s events.' })),
    actor: OptionalActor,
  }, { additionalProperties: false }),
  result: Type.Object({ subscriptionId: Type.String() }),
  errors: [],
});

export const eventsUnsubscribe = defineMethod({
  name: 'events.unsubscribe',
  scope: 'tenant',
  summary: 'Stop a subscription made on this connection.',
  params: Type.Object({ subscriptionId: Type.String(), actor: OptionalActor }, { additionalProperties: false }),
  result: Type.Object({ unsubscribed: Type.Boolean() }),
  errors: [],
});
