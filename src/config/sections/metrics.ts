import { Type } from '@sinclair/typebox';
import { Nullable, AbsolutePath, LoopbackAddress } from '../../core/schema.ts';

export const metricsSection = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'Serve Prometheus metrics (GET /metrics over HTTP) on the socket below and, when set, the loopback address.' }),
  socket: AbsolutePath({ default: '/run/hostagent/metrics.sock', description: 'Unix socket of the metrics endpoint, for a local Prometheus or a proxy (curl --unix-socket ... http://hostagent/metrics).' }),
  socketMode: Type.String({ pattern: '^0?[0-7]{3}$', default: '0660', description: 'File mode of the metrics socket (octal); its group is rpc.panelGroup.' }),
  listen: Nullable(LoopbackAddress(), { default: null, description: 'Optional loopback address:port serving the same endpoint, e.g. "127.0.0.1:9470". Any other address is refused: the endpoint is never public.' }),
}, { additionalProperties: false, default: {}, description: 'Prometheus metrics endpoint (see docs/metrics.md).' });
