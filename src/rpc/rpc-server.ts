import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import type { SocketKind } from './call-context.ts';
import { RpcConnection, type ConnectionLimits } from './connection.ts';
import type { Dispatcher } from './dispatcher.ts';
import { listenUnix, type SocketSpec } from './unix-listener.ts';

/** One JSON-RPC socket (admin or panel) and its live connections. */
export class RpcServer {
  readonly kind: SocketKind;
  readonly spec: SocketSpec;
  readonly #server: net.Server;
  readonly #connections = new Set<RpcConnection>();
  readonly #log: Logger;
  #dispatcher: Dispatcher;
  #limits: ConnectionLimits;
  #listening = false;

  constructor(kind: SocketKind, spec: SocketSpec, dispatcher: Dispatcher, limits: ConnectionLimits & { maxConnections: number }, log: Logger) {
    this.kind = kind;
    this.spec = spec;
    this.#dispatcher = dispatcher;
    this.#limits = limits;
    this.#log = log;
    // allowHalfOpen: a client may send its requests and shut its side; it still gets its answers.
    this.#server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.#accept(socket));
    this.#server.maxConnections = limits.maxConnections;
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
  setLimits(limits: ConnectionLimits & { maxConnections: number }): void {
    this.#limits = limits;
    this.#server.maxConnections = limits.maxConnections;
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
    const conn = new RpcConnection(socket, this.kind, this.#dispatcher, this.#limits, this.#log);
    this.#connections.add(conn);
    conn.onClose(() => this.#connections.delete(conn));
  }
}
