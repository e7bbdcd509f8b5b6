import { Type } from '@sinclair/typebox';
import { Nullable, AbsolutePath, LoopbackAddress } from '../../core/schema.ts';

export const downloadSection = Type.Object({
  socket: AbsolutePath({ default: '/run/hostagent/download.sock', description: 'HTTP download endpoint, proxied by the panel.' }),
  socketMode: Type.String({ pattern: '^0?[0-7]{3}$', default: '0660', description: 'File mode of the download socket (octal); its group is rpc.panelGroup.' }),
  listen: Nullable(LoopbackAddress(), { default: null, description: 'Optional loopback address:port for the same endpoint, e.g. "127.0.0.1:8470".' }),
  maxConnections: Type.Integer({ minimum: 1, maximum: 65536, default: 256, description: 'Open connections per download listener; a client over the limit gets 503 and is closed.' }),
  headersTimeoutMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000, description: 'A request\'s head (and the whole request, downloads have no body) must arrive within this long; else 408 and close.' }),
  idleTimeoutMs: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 30_000, description: 'A kept-alive connection with no request for this long is closed.' }),
  slowReaderTimeoutMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 120_000, description: 'A response the client stops reading (no bytes move on its connection) for this long is aborted and the connection closed.' }),
  baseUrl: Type.String({ minLength: 1, default: 'http://hostagent', description: 'Prefix of the download URLs handed to the panel; the panel maps it onto the socket.' }),
}, { additionalProperties: false, default: {}, description: 'Download links.' });
