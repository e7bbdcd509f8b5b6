// Compressed chunks come back from zlib as short-lived Buffers whose memory lives outside the
// V8 heap. V8 collects them only once ~64 MiB of such memory has piled up, which alone would
// take 40% of the daemon's memory budget (150 MiB). Past a ceiling set by the pipeline's own
// live buffers, a full collection frees them; it runs a few times per gigabyte of compressed
// input and costs milliseconds each.
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = (opts: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as Collect;
    } catch {
      collect = null;
    }
  }
  return collect;
}

export class EarlyCollect {
  readonly #ceiling: number;

  /** `ceiling`: bytes of memory outside the V8 heap beyond which garbage is collected. */
  constructor(ceiling: number) {
    this.#ceiling = ceiling;
  }

  /** Called after output was released; collects when memory outside the heap is too high. */
  check(): void {
    if (v8.getHeapStatistics().external_memory > this.#ceiling) collector()?.({ type: 'major' });
  }
}
