// HTTPS delivery: a self-signed server is refused until its CA is given, and HTTPS_PROXY
// tunnels through a local CONNECT proxy.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { deliver, type DeliveryAttempt } from '../../src/notify/index.ts';
import { hasCommand, requirePeer } from '../helpers/peer.ts';

const message = { title: 'T', body: 'B' };

t.test('https with a custom CA, direct and through HTTPS_PROXY', async (t) => {
  if (!requirePeer(t, 'openssl', hasCommand('openssl'))) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=gotify.test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:gotify.test'], { stdio: 'ignore' });
  const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
  const seen: Array<{ path: string; body: string }> = [];
  const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { seen.push({ path: req.url ?? '', body }); res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{}'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;

  const attempts: DeliveryAttempt[] = [];
  const refused = await deliver(`gotify://127.0.0.1:${port}/ASECRETgotify01`, message, { onAttempt: (a) => attempts.push(a), policy: { attempts: 3, baseDelayMs: 5 } });
  t.equal(refused.ok, false, 'self-signed certificate refused without the CA');
  t.equal(attempts.length, 1, 'a certificate error is not retried');
  t.match(refused.error, /certificate/i);
  t.equal(seen.length, 0);

  const direct = await deliver(`gotify://127.0.0.1:${port}/ASECRETgotify01`, message, { ca: cert });
  t.equal(direct.ok, true, direct.error ?? '');
  t.equal(seen[0]?.path, '/message?token=ASECRETgotify01');

  // A CONNECT proxy that knows where gotify.test lives.
  const connects: string[] = [];
  const proxy = net.createServer();
  proxy.on('connection', (client) => {
    client.once('data', (head) => {
      const line = head.toString().split('\r\n')[0];
      connects.push(line);
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const sockets = new Set<net.Socket>();
  proxy.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  t.teardown(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); proxy.close(() => r()); }));
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
  process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  delete process.env.NO_PROXY;
  t.teardown(() => { for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } });

  const proxied = await deliver('gotify://gotify.test/ASECRETgotify01', message, { ca: cert, policy: { attempts: 1 } });
  t.equal(proxied.ok, true, proxied.error ?? '');
  t.match(connects[0], /^CONNECT gotify\.test:443 HTTP\/1\.1$/);
  t.equal(seen.length, 2);

  process.env.NO_PROXY = 'gotify.test';
  const bypass = await deliver('gotify://gotify.test/ASECRETgotify01', message, { ca: cert, policy: { attempts: 1 } });
  t.equal(bypass.ok, false, 'NO_PROXY sends it direct, where gotify.test does not resolve');
  t.equal(connects.length, 1);
});
