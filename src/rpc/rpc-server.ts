import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { AgentError } from '../errors/index.ts';
import type { SocketKind } from './call-context.ts';
import { RpcConnection, type ConnectionLimits } from './connection.ts';
import type { Dispatcher } from './dispatcher.ts';
import { errorResponse } from './envelope.ts';
import { listenUnix, type SocketSpec } from './unix-listener.ts';

export type SocketLimits = ConnectionLimits & { maxConnections: number };

/** A refused client may be told so for this long before its socket is destroyed regardless. */
const REFUSAL_GRACE_MS = 1000;
/** At most one "socket full" warning per this period: a flood of refusals must not flood the log. */
const FULL_WARNING_EVERY_MS = 10_000;

/** One JSON-RPC socket (admin or panel) and its live connections. */
export class RpcServer {
  readonly kind: SocketKind;
  readonly spec: SocketSpec;
  readonly #server: net.Server;
  readonly #connections = new Set<RpcConnection>();
  readonly #log: Logger;
  #dispatcher: Dispatcher;
  #limits: SocketLimits;
  #listening = false;
  #refused = 0;
  #lastFullWarning = -Infinity;

  constructor(kind: SocketKind, spec: SocketSpec, dispatcher: Dispatcher, limits: SocketLimits, log: Logger) {
    this.kind = kind;
    this.spec = spec;
    this.#dispatcher = dispatcher;
    this.#limits = limits;
    this.#log = log;
    // allowHalfOpen: a client may send its requests and shut its side; it still gets its answers.
    this.#server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.#accept(socket));
    this.#server.on('error', (err) => this.#log.error({ err, socket: kind }, 'rpc server error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get connections(): ReadonlySet<RpcConnection> {
    return this.#connections;
  }

  async listen(): Promise<void> {
    await listenUnix(this.#server, this.spec);
    this.#listening = true;
  }

  /** New limits apply to new connections (config reload keeps existing ones). */
  setLimits(limits: SocketLimits): void {
    this.#limits = limits;
  }

  /** Stops accepting; existing connections stay until closeConnections(). */
  stopListening(): void {
    // Only a path this server bound is ours to remove; a failed start must not delete what was there.
    if (!this.#listening) return;
    this.#listening = false;
    // close()'s callback waits for every connection to end; the caller ends them separately.
    this.#server.close();
    try {
      fs.unlinkSync(this.spec.path);
    } catch {
      /* already gone */
    }
  }

  closeConnections(): void {
    for (const c of this.#connections) c.end();
    setTimeout(() => {
      for (const c of this.#connections) c.destroy();
    }, 1000).unref();
  }

  #accept(socket: net.Socket): void {
    if (this.#connections.size >= this.#limits.maxConnections) {
      this.#refuse(socket);
      return;
    }
    const conn = new RpcConnection(socket, this.kind, this.#dispatcher, this.#limits, this.#log);
    this.#connections.add(conn);
    conn.onClose(() => this.#connections.delete(conn));
  }

  /**
   * A client over the connection limit is told so in one error line and closed; what it sends
   * meanwhile is read and dropped, so its writes never fail before it can read the answer.
   */
  #refuse(socket: net.Socket): void {
    const limit = this.#limits.maxConnections;
    this.#refused++;
    const now = performance.now();
    if (now - this.#lastFullWarning >= FULL_WARNING_EVERY_MS) {
      this.#lastFullWarning = now;
      this.#log.warn({ socket: this.kind, limit, refused: this.#refused }, 'rpc socket full; refusing new connections');
    }
    const e = new AgentError('AGENT_E_BUSY', `the ${this.kind} socket already has ${limit} connections (rpc.maxConnections); try again later`, { data: { limit } });
    const timer = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS).unref();
    socket.on('error', () => { /* the peer went away first */ });
    socket.on('close', () => clearTimeout(timer));
    socket.on('data', () => { /* dropped */ });
    socket.on('end', () => socket.destroy());
    socket.end(JSON.stringify(errorResponse(null, e.rpcCode, e.message, e.toData())) + '\n');
  }
}
