// The queue behind late checksums: order kept through its compactions, empty when drained.
import t from 'tap';
import { Fifo } from '../../src/core/index.ts';

t.test('items come out in the order they went in, interleaved or not', async (t) => {
  const q = new Fifo<number>();
  const out: number[] = [];
  let next = 0;
  // Uneven rounds of pushes and takes, so compaction happens at many different fill levels.
  for (let round = 1; round <= 200; round++) {
    for (let i = 0; i < round % 7 + 1; i++) q.push(next++);
    for (let i = 0; i < round % 5 + 1 && q.length > 0; i++) out.push(q.take()!);
  }
  t.equal(q.length, next - out.length, 'length counts what is queued');
  while (q.length > 0) out.push(q.take()!);
  t.same(out, Array.from({ length: next }, (_v, i) => i));
  t.equal(q.take(), undefined, 'an empty queue gives undefined');
  const flags = new Fifo<boolean>();
  flags.push(false);
  t.equal(flags.length, 1);
  t.equal(flags.take(), false, 'a falsy item is an item');
  t.equal(flags.length, 0);
});
