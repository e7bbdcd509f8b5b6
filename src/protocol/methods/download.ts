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
  examples: [{
    name: 'panel',
    description: 'The panel asks for a link on behalf of the tenant, then fetches it with `X-Hostagent-Session: panel-session-7f3a9c`.',
    params: { snapshotId: '7c1e9a52d04b4f3e8a61', actor: { account: 'shop', session: 'panel-session-7f3a9c' } },
    result: {
      url: 'http://hostagent/d/oeXfWa4_jBmKQWNF82qsht_tr8V3d_z-WndwDSBfiA0',
      expiresAt: '2026-11-22T10:15:00.000Z',
      path: '/d/oeXfWa4_jBmKQWNF82qsht_tr8V3d_z-WndwDSBfiA0',
    },
  }],
});
