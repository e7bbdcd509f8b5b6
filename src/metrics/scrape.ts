// One scrape: prom-client's registry (counters, histograms and the daemon's live gauges), then
// the families with one series per account, destination or schedule, written from state.
import type { Registry } from 'prom-client';
import { perItemChunks, type PerItemSources } from './per-item-families.ts';

/** The scrape's text in chunks, the later ones made only as the sender asks for them. */
export type Scrape = () => Promise<Iterable<string | Buffer>>;

export function scrapeWith(registry: Registry, perItem: PerItemSources): Scrape {
  return async () => {
    const registered = await registry.metrics();
    return (function* () {
      yield registered;
      yield* perItemChunks(perItem);
    })();
  };
}
