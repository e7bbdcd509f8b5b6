// The listeners of one HTTP endpoint (downloads, metrics): a Unix socket and, optionally, a
// loopback port, each its own http.Server made by the endpoint, all closed together.
import type http from 'node:http';
import { listenUnix, type SocketSpec } from './unix-listener.ts';
import { listenLoopback } from './loopback-listener.ts';

export class HttpListeners {
  readonly #servers: http.Server[] = [];
  readonly #create: () => http.Server;

  /** `create` makes one server with the endpoint's handler and limits, for each listener. */
  constructor(create: () => http.Server) {
    this.#create = create;
  }

  #server(): http.Server {
    const server = this.#create();
    this.#servers.push(server);
    return server;
  }

  async listenSocket(spec: SocketSpec): Promise<void> {
    await listenUnix(this.#server(), spec);
  }

  async listenLoopback(address: string): Promise<void> {
    await listenLoopback(this.#server(), address);
  }

  close(): void {
    for (const s of this.#servers) {
      s.close();
      s.closeAllConnections();
    }
  }
}
