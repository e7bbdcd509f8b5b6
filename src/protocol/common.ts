// Schemas reused across namespaces.
import { Type } from '@sinclair/typebox';

export const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';

/** Who a tenant-scoped call is made for. The panel sets it; the daemon enforces what it may do. */
export const ActorSchema = Type.Object({
  account: Type.String({ pattern: NAME_PATTERN, description: 'The tenant account the call is made for.' }),
  session: Type.String({ minLength: 8, maxLength: 512, description: 'The panel session; download links are bound to it.' }),
}, { additionalProperties: false, description: 'The tenant on whose behalf the panel calls. Required on the panel socket.' });

export const OptionalActor = Type.Optional(ActorSchema);

export const EmptyParams = Type.Object({}, { additionalProperties: false });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC.' });
