import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { Nullable } from '../../core/schema.ts';

export const notifyTest = defineMethod({
  name: 'notify.test',
  scope: 'admin',
  summary: 'Send a test message to a notification URL, or with dryRun show exactly what would be sent.',
  description: 'A dry run sends nothing and returns the requests with secrets shown as ***.',
  params: Type.Object({ url: Type.String({ minLength: 1, maxLength: 8192 }), dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  result: Type.Object({
    requests: Type.Optional(Type.Array(Type.Object({ method: Type.String(), url: Type.String(), headers: Type.Record(Type.String(), Type.String()), body: Type.Unknown() }))),
    ok: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.Integer()),
    error: Type.Optional(Type.String()),
  }, { additionalProperties: true }),
  errors: ['AGENT_E_NOTIFY_URL', 'AGENT_E_NOTIFY_SEND'],
});

export const notifyHistory = defineMethod({
  name: 'notify.history',
  scope: 'admin',
  summary: 'Recent notification deliveries, newest first, one row per try.',
  params: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
  result: Type.Object({
    deliveries: Type.Array(Type.Object({
      at: Type.String(), url: Type.String(), service: Type.String(), attempt: Type.Integer(), ok: Type.Boolean(),
      status: Nullable(Type.Integer()), error: Nullable(Type.String()), jobId: Nullable(Type.String()),
    })),
  }),
  errors: [],
});
