// The file reader's hashing thread (walk-child.ts). The reader's output buffers are shared
// memory; for each buffer handed to the socket, the reader posts where file content lies in it,
// and this thread hashes those ranges while the reader goes on reading. Hashing was a third of
// the reader's time on its own thread.
import { parentPort, workerData } from 'node:worker_threads';
import { createHash, type Hash } from 'node:crypto';

/** One buffer's file content: triples of (start, end, last), `last` 1 where a file's content ends. */
export interface HashRequest { buf: number; ranges: number[] }
/** The sha256 of every file whose content ended in that buffer, in order. */
export interface HashReply { buf: number; sums: string[] }

const buffers = (workerData as { buffers: SharedArrayBuffer[] }).buffers.map((b) => Buffer.from(b));
let hash: Hash = createHash('sha256');

parentPort!.on('message', ({ buf, ranges }: HashRequest) => {
  const bytes = buffers[buf];
  const sums: string[] = [];
  for (let i = 0; i < ranges.length; i += 3) {
    if (ranges[i + 1] > ranges[i]) hash.update(bytes.subarray(ranges[i], ranges[i + 1]));
    if (ranges[i + 2] === 1) {
      sums.push(hash.digest('hex'));
      hash = createHash('sha256');
    }
  }
  parentPort!.postMessage({ buf, sums } satisfies HashReply);
});
