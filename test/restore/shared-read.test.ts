// One read of an archive source shared by two consumers: both see every chunk in order, the
// source is opened once, a consumer that stops early does not hold the other back, a failure
// reaches both, and the leader never runs more than `lag` chunks ahead of the slowest.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArchiveSource } from '../../src/archive/index.ts';
import { sharedRead } from '../../src/restore/shared-read.ts';

function counting(n: number, failAt = -1): ArchiveSource & { opened: number; produced: number } {
  const s = {
    compression: 'gzip' as const, origin: 'test', opened: 0, produced: 0,
    async *open() {
      s.opened++;
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error('source broke');
        s.produced++;
        yield Buffer.from([i & 0xff]);
      }
    },
  };
  return s;
}

async function drain(src: ArchiveSource, delayMs = 0, stopAfter = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const c of src.open()) {
    out.push(c[0]!);
    if (out.length >= stopAfter) break;
    if (delayMs) await sleep(delayMs);
  }
  return out;
}

t.test('both consumers see every chunk; the source is read once', async (t) => {
  const src = counting(300);
  const [a, b] = sharedRead(src, 2, 8);
  const [x, y] = await Promise.all([drain(a!), drain(b!, 1)]);
  const all = Array.from({ length: 300 }, (_, i) => i & 0xff);
  t.same(x, all);
  t.same(y, all);
  t.equal(src.opened, 1);
  t.equal(src.produced, 300);
});

t.test('the leader waits for the slowest, within the lag', async (t) => {
  const src = counting(100);
  const [a, b] = sharedRead(src, 2, 4);
  let maxAhead = 0;
  const slow = (async () => {
    const out: number[] = [];
    for await (const c of b!.open()) {
      out.push(c[0]!);
      maxAhead = Math.max(maxAhead, src.produced - out.length);
      await sleep(2);
    }
    return out;
  })();
  await Promise.all([drain(a!), slow]);
  t.ok(maxAhead <= 5, `read ahead of the slowest by at most the lag (${maxAhead})`);
});

t.test('a consumer that stops early does not hold the other back', async (t) => {
  const src = counting(200);
  const [a, b] = sharedRead(src, 2, 4);
  const [x, y] = await Promise.all([drain(a!, 0, 10), drain(b!, 1)]);
  t.equal(x.length, 10);
  t.equal(y.length, 200);
});

t.test('a failure of the source reaches every consumer', async (t) => {
  const [a, b] = sharedRead(counting(50, 20), 2, 4);
  const results = await Promise.allSettled([drain(a!), drain(b!, 1)]);
  t.same(results.map((r) => r.status === 'rejected' && (r.reason as Error).message), ['source broke', 'source broke']);
});
