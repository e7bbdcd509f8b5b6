// Attack: idle and slow connections lock the download server. download.sock had no connection
// limit and no timeouts beyond node's defaults: connections that never finish their request
// head, kept-alive connections left idle, and clients that stop reading a download all held
// their connection (and its file) open.
// Now each download listener admits download.maxConnections connections, a request on any other
// is answered 503 and its connection closed; a head must arrive within download.headersTimeoutMs,
// an idle kept-alive connection is closed after download.idleTimeoutMs, and a response nobody
// reads is aborted after download.slowReaderTimeoutMs.
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { startDaemon, tempDir } from '../helpers/daemon.ts';
import { DownloadServer } from '../../src/download/index.ts';

t.setTimeout(240_000);

const LIMITS = { maxConnections: 4, headersTimeoutMs: 2000, idleTimeoutMs: 2000, slowReaderTimeoutMs: 2000 };

/** A raw connection that collects everything the server sends until it closes. */
async function rawConnection(t: Test, sock: string): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect(sock);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  t.teardown(() => socket.destroy());
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString('latin1'); });
  socket.on('error', () => { /* a reset counts as closed */ });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

function closedWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  return Promise.race([closed.then(() => true), late]).finally(() => clearTimeout(timer));
}

const GET = (p: string, keepAlive = false) => `GET ${p} HTTP/1.1\r\nHost: hostagent\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;

t.test('a full download socket answers 503; silent, slow-headed and idle connections are closed', async (t) => {
  const d = await startDaemon(t, { config: { download: LIMITS } });
  const sock = d.daemon.config.download.socket;

  // Fill the listener with connections that never send a request.
  const silent = await Promise.all(Array.from({ length: LIMITS.maxConnections }, () => rawConnection(t, sock)));
  const over = await rawConnection(t, sock);
  over.socket.write(GET('/d/unknown'));
  t.ok(await closedWithin(over.closed, 30_000), 'a request over the limit is answered and its connection closed');
  t.match(over.received(), /^HTTP\/1\.1 503 /, 'with 503, not silence');
  t.match(over.received(), /download server busy: 4 connections open \(download\.maxConnections\)/, 'and says why');

  const closed = await Promise.all(silent.map((c) => closedWithin(c.closed, LIMITS.headersTimeoutMs + 30_000)));
  t.equal(closed.filter(Boolean).length, LIMITS.maxConnections, 'connections that send no request head are closed after download.headersTimeoutMs');

  // A head dripped one header line at a time never completes in time either.
  const drip = await rawConnection(t, sock);
  drip.socket.write('GET /d/unknown HTTP/1.1\r\nHost: hostagent\r\n');
  const dripping = setInterval(() => { if (!drip.socket.destroyed) drip.socket.write(`X-Drip-${Date.now()}: 1\r\n`); }, 300);
  t.teardown(() => clearInterval(dripping));
  t.ok(await closedWithin(drip.closed, LIMITS.headersTimeoutMs + 30_000), 'a head dripped slowly is cut off after download.headersTimeoutMs');
  clearInterval(dripping);
  t.match(drip.received(), /^(HTTP\/1\.1 408 |$)/, 'with 408 (or nothing), never an answer to the unfinished request');

  // Slots are free again: a request is served (an unknown link is a 404), and a kept-alive
  // connection left idle afterwards is closed.
  const kept = await rawConnection(t, sock);
  kept.socket.write(GET('/d/unknown', true));
  const started = Date.now();
  while (!/\r\n\r\nunknown download link\n/.test(kept.received()) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
  t.match(kept.received(), /^HTTP\/1\.1 404 /, 'a new client is served once the others are gone');
  t.ok(await closedWithin(kept.closed, LIMITS.idleTimeoutMs + 30_000), 'an idle kept-alive connection is closed after download.idleTimeoutMs');
});

t.test('a download nobody reads is aborted after download.slowReaderTimeoutMs', async (t) => {
  // The daemon's DownloadServer with a handler that streams without end, as a huge snapshot would.
  const dir = tempDir(t, 'hostagent-download-slow-');
  let serverSideClosed: Promise<void> | null = null;
  let sent = 0;
  const server = new DownloadServer(pino({ level: 'silent' }), LIMITS, (req, res) => {
    serverSideClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 7);
    Readable.from((function* () { for (;;) { sent += chunk.length; yield chunk; } })()).pipe(res);
  });
  const sock = path.join(dir, 'download.sock');
  await server.listenSocket({ path: sock, mode: '0600', group: null });
  t.teardown(() => server.close());
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ socketPath: sock, path: '/d/anything' }, resolve).on('error', reject));
  t.teardown(() => res.destroy());
  t.equal(res.statusCode, 200, 'the download starts');
  res.pause(); // and is never read
  t.ok(await closedWithin(serverSideClosed!, LIMITS.slowReaderTimeoutMs + 30_000), 'the server closed the stalled response\'s connection');
  t.ok(sent < 64 * 2 ** 20, `having buffered only what the socket holds (${(sent / 2 ** 20).toFixed(1)} MiB), not the whole stream`);
  // The client learns it once it reads again: the body ends short of a complete response.
  const ended = new Promise<string>((resolve) => {
    res.on('error', () => resolve('error'));
    res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete'));
    res.on('close', () => resolve(res.complete ? 'complete' : 'incomplete'));
  });
  res.resume();
  t.not(await ended, 'complete', 'the client sees a cut-off response, not a finished one');
});
