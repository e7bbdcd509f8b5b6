import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { OptionalActor, Timestamp } from '../common.ts';

export const downloadCreate = defineMethod({
  name: 'download.create',
  scope: 'tenant',
  summary: 'A short-lived download link for a snapshot, bound to the panel session that asked for it.',
  description: 'The request to the link must carry the same session in the X-Hostagent-Session header. On the admin socket pass `session` directly.',
  params: Type.Object({
    snapshotId: Type.String({ minLength: 1, maxLength: 64 }),
    session: Type.Optional(Type.String({ minLength: 8, maxLength: 512, description: 'Admin form: the session the link is bound to.' })),
    actor: OptionalActor,
  }, { additionalProperties: false }),
  result: Type.Object({ url: Type.String(), expiresAt: Timestamp, path: Type.String({ description: 'The URL path, for proxies that build their own URL.' }) }),
  errors: ['AGENT_E_NOT_FOUND', 'AGENT_E_INVALID'],
});
