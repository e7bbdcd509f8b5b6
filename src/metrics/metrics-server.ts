// GET /metrics over HTTP on a Unix socket and, optionally, a loopback port. Nothing else is
// served; a scrape that fails answers 500 and the daemon goes on.
import http from 'node:http';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { SocketSpec } from '../rpc/unix-listener.ts';
import { HttpListeners } from '../rpc/http-listeners.ts';
import type { Scrape } from './scrape.ts';

/** Scrapers are few; more connections than this are refused rather than queued. */
const MAX_CONNECTIONS = 32;
const REQUEST_TIMEOUT_MS = 30_000;

export class MetricsServer {
  readonly #listeners = new HttpListeners(() => this.#create());
  readonly #scrape: Scrape;
  readonly #log: Logger;

  constructor(scrape: Scrape, log: Logger) {
    this.#scrape = scrape;
    this.#log = log;
  }

  #create(): http.Server {
    const server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (req, res) => void this.#answer(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.on('clientError', (_err, socket) => socket.destroy());
    return server;
  }

  async #answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics is served here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    try {
      const chunks = await this.#scrape();
      res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE });
      if (req.method !== 'HEAD') {
        // One chunk at a time: the next is made once the socket took the last.
        for (const chunk of chunks) {
          if (res.destroyed) return;
          if (!res.write(chunk)) await drainedOrClosed(res);
        }
      }
      res.end();
    } catch (err) {
      this.#log.error({ err }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      else res.destroy();
    }
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

function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
