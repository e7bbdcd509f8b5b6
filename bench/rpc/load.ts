// The load generator of bench/rpc: keeps a fixed number of requests outstanding on each of N
// connections for a fixed time, and records the round trip of every request sent while
// measuring. The same generator drives the daemon and the reference echo server.
import net from 'node:net';

export interface LoadOptions {
  socketPath: string;
  method: string;
  connections: number;
  /** Requests kept outstanding per connection. */
  window: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  /** Round trips completed per second while measuring. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const ID_MEMBER = Buffer.from('"id":');

/**
 * The numeric id of the answer line buf[start, end), or -1. Read from the bytes, without decoding
 * the line: the generator's cost per answer must not grow with the answer's size, or a server with
 * longer answers than the reference would be measured partly by how busy it keeps its client.
 */
function answerId(buf: Buffer, start: number, end: number): number {
  let at = buf.indexOf(ID_MEMBER, start);
  if (at < 0 || at >= end) return -1;
  at += ID_MEMBER.length;
  let id = -1;
  for (let c = buf[at]!; at < end && c >= 48 && c <= 57; c = buf[++at]!) id = (id < 0 ? 0 : id * 10) + (c - 48);
  return id;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
  let completed = 0;

  const drivers = Array.from({ length: o.connections }, () => new Promise<void>((resolve, reject) => {
    const socket = net.connect(o.socketPath);
    const sentAt = new Map<number, number>();
    let nextId = 0;
    /** The start of an answer line whose end has not arrived yet. */
    let partial: Buffer | null = null;
    const fill = () => {
      if (phase === 'drain') return;
      let out = '';
      while (sentAt.size < o.window) {
        const id = ++nextId;
        sentAt.set(id, phase === 'measure' ? performance.now() : -1);
        out += `{"jsonrpc":"2.0","method":"${o.method}","id":${id}}\n`;
      }
      if (out) socket.write(out);
    };
    socket.on('connect', fill);
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      const buf = partial ? Buffer.concat([partial, chunk]) : chunk;
      let start = 0;
      const now = performance.now();
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
        const id = answerId(buf, start, nl);
        start = nl + 1;
        const t0 = sentAt.get(id);
        if (t0 === undefined) continue;
        sentAt.delete(id);
        if (phase !== 'measure') continue;
        completed++;
        if (t0 >= 0) latencies.push(now - t0);
      }
      partial = start < buf.length ? buf.subarray(start) : null;
      if (phase === 'drain' && sentAt.size === 0) socket.end();
      else fill();
    });
    // Ends this connection once the measuring is over and its answers are in.
    const stop = setInterval(() => {
      if (phase === 'drain' && sentAt.size === 0) {
        clearInterval(stop);
        socket.end();
      }
    }, 20);
  }));

  await new Promise((r) => setTimeout(r, o.warmupMs));
  phase = 'measure';
  const started = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const seconds = (performance.now() - started) / 1000;
  const done = completed;
  phase = 'drain';
  await Promise.all(drivers);

  const sorted = Float64Array.from(latencies).sort();
  return { rate: done / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), completed: done };
}
