// s3rver, an S3 implementation in Node, on a random loopback port over a temp directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, Server } from 'node:http';
import S3rver from 's3rver';
import { closeHard, trackConnections, type ConnectionControl } from './http-server.ts';
import { freePort } from './free-port.ts';

export interface S3Peer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** PEM of the self-signed certificate when started with https. */
  certPem?: string;
  certFile?: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  cutUploads(count: number): void;
  armedCuts(): number;
  /** Calls `listener` with every request as it arrives (before s3rver handles it), across restarts. */
  onRequest(listener: (req: IncomingMessage) => void): void;
  close(): Promise<void>;
}

export async function startS3(options: { https?: boolean } = {}): Promise<S3Peer> {
  const directory = mkdtempSync(join(tmpdir(), 'hat-s3rver-'));
  let tls: { key: string; cert: string } | undefined;
  if (options.https) {
    // Self-signed, valid for the loopback address, so certificate checks can be exercised.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore' });
    tls = { key: readFileSync(join(directory, 'key.pem'), 'utf8'), cert: readFileSync(join(directory, 'cert.pem'), 'utf8') };
  }
  const data = join(directory, 'data');
  const port = await freePort();
  const bucket = 'hostagent-test';
  let server: { run(): Promise<unknown>; httpServer: Server } | undefined;
  let tracker: ConnectionControl | undefined;
  const listeners: ((req: IncomingMessage) => void)[] = [];
  const start = async () => {
    const s = new S3rver({ port, address: '127.0.0.1', directory: data, silent: true, configureBuckets: [{ name: bucket }], ...(tls ?? {}) });
    await s.run();
    s.httpServer.prependListener('request', (req: IncomingMessage) => { for (const l of listeners) l(req); });
    tracker = trackConnections(s.httpServer, (req) => req.method === 'PUT');
    server = s;
  };
  const stop = async () => {
    if (server) await closeHard(server.httpServer, tracker!);
    server = undefined;
  };
  await start();
  return {
    endpoint: `127.0.0.1:${port}`,
    bucket,
    // s3rver's fixed development credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    ...(tls ? { certPem: tls.cert, certFile: join(directory, 'cert.pem') } : {}),
    start,
    stop,
    cutUploads: (n: number) => tracker!.cutUploads(n),
    armedCuts: () => tracker!.armedCuts(),
    onRequest: (listener) => { listeners.push(listener); },
    close: async () => { await stop(); rmSync(directory, { recursive: true, force: true }); },
  };
}
