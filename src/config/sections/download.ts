import { Type } from '@sinclair/typebox';
import { Nullable, AbsolutePath, LoopbackAddress } from '../../core/schema.ts';

export const downloadSection = Type.Object({
  socket: AbsolutePath({ default: '/run/hostagent/download.sock', description: 'HTTP download endpoint, proxied by the panel.' }),
  socketMode: Type.String({ pattern: '^0?[0-7]{3}$', default: '0660', description: 'File mode of the download socket (octal); its group is rpc.panelGroup.' }),
  listen: Nullable(LoopbackAddress(), { default: null, description: 'Optional loopback address:port for the same endpoint, e.g. "127.0.0.1:8470".' }),
  baseUrl: Type.String({ minLength: 1, default: 'http://hostagent', description: 'Prefix of the download URLs handed to the panel; the panel maps it onto the socket.' }),
}, { additionalProperties: false, default: {}, description: 'Download links.' });
