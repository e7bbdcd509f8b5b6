// One read of an archive source shared by several consumers (the file extractor and the
// collector of databases, mail and DNS), so that after its verification a restore reads the
// archive once more, not once per consumer: that matters when it streams from a destination.
// Consumers advance together: one ahead of the slowest by `lag` chunks waits; one that stops
// reading (it finished or failed) is no longer waited for. Each view is opened once.
import type { ArchiveSource } from '../archive/index.ts';

export function sharedRead(source: ArchiveSource, consumers: number, lag = 16): ArchiveSource[] {
  let upstream: AsyncIterator<Buffer> | null = null;
  /** Chunks not yet read by every consumer; chunks[0] has index `base`. */
  const chunks: Buffer[] = [];
  let base = 0;
  let ended = false;
  let failure: unknown = null;
  /** The next chunk index of each consumer; Infinity once it stopped. */
  const positions: number[] = new Array<number>(consumers).fill(0);
  let fetching: Promise<void> | null = null;
  let waiters: (() => void)[] = [];

  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const trim = () => {
    const slowest = Math.min(...positions);
    while (base < slowest && chunks.length > 0) { chunks.shift(); base++; }
    wake();
  };
  const fetch = (): Promise<void> => fetching ??= (async () => {
    try {
      upstream ??= source.open()[Symbol.asyncIterator]();
      const r = await upstream.next();
      if (r.done) ended = true;
      else chunks.push(r.value);
    } catch (err) {
      failure = err;
      ended = true;
    } finally {
      fetching = null;
      wake();
    }
  })();

  const view = (i: number): ArchiveSource => ({
    compression: source.compression,
    origin: source.origin,
    async *open() {
      try {
        for (;;) {
          const at = positions[i]!;
          if (at < base + chunks.length) {
            const chunk = chunks[at - base]!;
            positions[i] = at + 1;
            trim();
            yield chunk;
            continue;
          }
          if (failure) throw failure;
          if (ended) return;
          if (at - Math.min(...positions) >= lag) await new Promise<void>((resolve) => waiters.push(resolve));
          else await fetch();
        }
      } finally {
        positions[i] = Infinity;
        trim();
        if (positions.every((p) => p === Infinity) && !ended) await upstream?.return?.();
      }
    },
  });
  return Array.from({ length: consumers }, (_, i) => view(i));
}
