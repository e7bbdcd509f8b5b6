import { Type } from '@sinclair/typebox';
import { Nullable, AbsolutePath } from '../../core/schema.ts';

const mode = (dflt: string, description: string) =>
  Type.String({ pattern: '^0?[0-7]{3}$', default: dflt, description });

export const rpcSection = Type.Object({
  adminSocket: AbsolutePath({ default: '/run/hostagent/admin.sock', description: 'Admin socket: every method.' }),
  adminMode: mode('0600', 'File mode of the admin socket (octal).'),
  adminGroup: Nullable(Type.String({ minLength: 1 }), { default: null, description: 'Group owning the admin socket; null keeps root\'s group.' }),
  panelSocket: AbsolutePath({ default: '/run/hostagent/agent.sock', description: 'Panel socket: tenant-scoped methods only.' }),
  panelMode: mode('0660', 'File mode of the panel socket (octal).'),
  panelGroup: Nullable(Type.String({ minLength: 1 }), { default: 'hostagent', description: 'Group owning the panel socket (the panel\'s web server runs in it); null keeps the daemon\'s group.' }),
  maxLineBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'Longest accepted JSON-RPC frame; longer ones get an error and the connection is closed.' }),
  maxConnections: Type.Integer({ minimum: 1, maximum: 65536, default: 1024, description: 'Open connections per socket; a client over the limit gets one AGENT_E_BUSY line and is closed.' }),
  maxInFlight: Type.Integer({ minimum: 1, maximum: 4096, default: 128, description: 'Requests (each element of a batch counts) one connection may have unanswered before the daemon stops reading from it.' }),
  maxBatch: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Most requests in one batch; a longer batch is answered with one AGENT_E_BATCH_TOO_LONG error and none of it runs.' }),
  maxAnswerBytes: Type.Integer({ minimum: 64 * 1024, maximum: 256 * 1024 * 1024, default: 16 * 1024 * 1024, description: 'Largest answer line (a batch\'s answers together); an answer over it is replaced by an AGENT_E_ANSWER_TOO_LARGE error.' }),
  idleTimeoutMs: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 300_000, description: 'A connection with nothing unanswered, no event subscription and no frame received for this long is closed.' }),
  slowReaderTimeoutMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000, description: 'A connection whose unread answers fill its socket buffer stops being read; if they are still unread after this long it is closed.' }),
  frameTimeoutMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000, description: 'A frame begun must end with its newline within this long; else it is answered with AGENT_E_FRAME_TIMEOUT and the connection closed.' }),
}, { additionalProperties: false, default: {}, description: 'JSON-RPC sockets.' });
