// sha256 of files read one after another, computed on a worker thread: verifying a spooled
// archive hashes its compressed bytes there while the main thread decompresses and checks it.
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
(async () => {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const p of workerData) {
    for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) { hash.update(chunk); bytes += chunk.length; }
  }
  parentPort.postMessage({ sha256: hash.digest('hex'), bytes });
})().catch((err) => parentPort.postMessage({ error: err.message, code: err.code }));
`;

/** The worker stops when `signal` aborts (its caller no longer needs the result). */
export function sha256OfFiles(paths: string[], signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: paths });
    signal?.addEventListener('abort', () => { void worker.terminate(); reject(signal.reason); }, { once: true });
    worker.once('message', (m: { sha256: string; bytes: number } | { error: string; code?: string }) => {
      void worker.terminate();
      if ('error' in m) reject(Object.assign(new Error(m.error), { code: m.code }));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}
