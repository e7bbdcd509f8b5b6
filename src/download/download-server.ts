import http from 'node:http';
import type { Logger } from 'pino';
import { listenUnix, type SocketSpec } from '../rpc/unix-listener.ts';
import { listenLoopback } from '../rpc/loopback-listener.ts';

export type DownloadRequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The HTTP endpoint the panel proxies for download links, on a Unix socket (and optionally loopback). */
export class DownloadServer {
  readonly #servers: http.Server[] = [];
  readonly #log: Logger;
  #handler: DownloadRequestHandler;

  constructor(log: Logger, handler: DownloadRequestHandler = notFound) {
    this.#log = log;
    this.#handler = handler;
  }

  setHandler(handler: DownloadRequestHandler): void {
    this.#handler = handler;
  }

  #create(): http.Server {
    const server = http.createServer((req, res) => {
      try {
        this.#handler(req, res);
      } catch (err) {
        this.#log.error({ err }, 'download handler failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    this.#servers.push(server);
    return server;
  }

  async listenSocket(spec: SocketSpec): Promise<void> {
    await listenUnix(this.#create(), spec);
  }

  async listenLoopback(address: string): Promise<void> {
    await listenLoopback(this.#create(), address);
  }

  close(): void {
    for (const s of this.#servers) {
      s.close();
      s.closeAllConnections();
    }
  }
}

function notFound(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown download link\n');
}
