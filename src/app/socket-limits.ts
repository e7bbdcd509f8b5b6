import type { AgentConfig } from '../config/index.ts';
import type { SocketLimits } from '../rpc/index.ts';

/** Pushed events allowed to wait unread in one connection before further ones are dropped. */
const EVENT_BACKLOG_BYTES = 4 * 1024 * 1024;

/** The per-socket and per-connection bounds of the JSON-RPC sockets, from the rpc config section. */
export function socketLimits(rpc: AgentConfig['rpc']): SocketLimits {
  return {
    maxConnections: rpc.maxConnections,
    maxLineBytes: rpc.maxLineBytes,
    maxInFlight: rpc.maxInFlight,
    maxBatch: rpc.maxBatch,
    maxAnswerBytes: rpc.maxAnswerBytes,
    maxEventBacklogBytes: EVENT_BACKLOG_BYTES,
    idleTimeoutMs: rpc.idleTimeoutMs,
    slowReaderTimeoutMs: rpc.slowReaderTimeoutMs,
    frameTimeoutMs: rpc.frameTimeoutMs,
  };
}
