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
  maxConnections: Type.Integer({ minimum: 1, maximum: 65536, default: 1024, description: 'Open connections per socket; more are closed at once.' }),
  maxInFlight: Type.Integer({ minimum: 1, maximum: 4096, default: 128, description: 'Requests one connection may have unanswered before the daemon stops reading from it.' }),
}, { additionalProperties: false, default: {}, description: 'JSON-RPC sockets.' });
