// Azurite's blob service on a random loopback port, storing into a temp directory, with the
// well-known development account.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';
import { restartableServer } from './process.ts';

export const AZURITE_BLOB = fileURLToPath(new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url));

export interface AzuritePeer {
  accountName: string;
  accountKey: string;
  /** Endpoint template for the destination settings: path-style, as Azurite serves it. */
  endpoint: string;
  connectionString: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startAzurite(): Promise<AzuritePeer> {
  if (!existsSync(AZURITE_BLOB)) throw new Error(`${AZURITE_BLOB} not found (npm install azurite)`);
  const location = mkdtempSync(join(tmpdir(), 'hat-azurite-'));
  const port = await freePort();
  // Azurite needs a few seconds on an idle 2-core machine, much longer on a busy one. SIGTERM first:
  // it saves its metadata database lazily and would forget recent deletes on SIGKILL.
  const { start, stop } = restartableServer('azurite', process.execPath, [AZURITE_BLOB, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location,
    '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'], port, { startTimeoutMs: 60_000, termFirstMs: 5000 });
  try {
    await start();
  } catch (err) {
    rmSync(location, { recursive: true, force: true });
    throw err;
  }
  const accountName = 'devstoreaccount1';
  // Azurite's documented development key; not a secret.
  const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
  return {
    accountName, accountKey,
    endpoint: `http://127.0.0.1:${port}/{account}`,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${accountName};AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:${port}/${accountName};`,
    start, stop,
    close: async () => { await stop(); rmSync(location, { recursive: true, force: true }); },
  };
}
