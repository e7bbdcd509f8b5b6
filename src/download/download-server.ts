import http from 'node:http';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { SocketSpec } from '../rpc/unix-listener.ts';
import { HttpListeners } from '../rpc/http-listeners.ts';

export type DownloadRequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Bounds of each download listener (the download config section). */
export interface DownloadLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  slowReaderTimeoutMs: number;
}

/**
 * The HTTP endpoint the panel proxies for download links, on a Unix socket (and optionally
 * loopback). Each listener holds at most maxConnections admitted connections; a request on any
 * connection beyond them is answered 503 and its connection closed. A head that does not arrive
 * in time gets node's 408, an idle kept-alive connection is closed, and so is one whose client
 * stops reading its response.
 */
export class DownloadServer {
  readonly #listeners = new HttpListeners(() => this.#create());
  readonly #log: Logger;
  readonly #limits: DownloadLimits;
  #handler: DownloadRequestHandler;

  constructor(log: Logger, limits: DownloadLimits, handler: DownloadRequestHandler = notFound) {
    this.#log = log;
    this.#limits = limits;
    this.#handler = handler;
  }

  setHandler(handler: DownloadRequestHandler): void {
    this.#handler = handler;
  }

  #create(): http.Server {
    const limits = this.#limits;
    const admitted = new WeakSet<net.Socket>();
    let open = 0;
    const server = http.createServer({
      headersTimeout: limits.headersTimeoutMs,
      // A download request has no body: all of it is its head.
      requestTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      // How often node looks for requests past their timeout; its default (30 s) would stretch a short one.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
    }, (req, res) => {
      if (!admitted.has(req.socket)) {
        busy(res, limits.maxConnections);
        return;
      }
      try {
        this.#handler(req, res);
      } catch (err) {
        this.#log.error({ err }, 'download handler failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    server.on('connection', (socket: net.Socket) => {
      if (open >= limits.maxConnections) return;
      open++;
      admitted.add(socket);
      socket.once('close', () => open--);
    });
    // No bytes moving on a connection for this long (a client that stopped reading its
    // download): node destroys the socket, as the server has no 'timeout' listener.
    server.timeout = limits.slowReaderTimeoutMs;
    return server;
  }

  async listenSocket(spec: SocketSpec): Promise<void> {
    await this.#listeners.listenSocket(spec);
  }

  async listenLoopback(address: string): Promise<void> {
    await this.#listeners.listenLoopback(address);
  }

  close(): void {
    this.#listeners.close();
  }
}

function busy(res: http.ServerResponse, limit: number): void {
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1', connection: 'close' })
    .end(`download server busy: ${limit} connections open (download.maxConnections); try again later\n`);
}

function notFound(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown download link\n');
}
