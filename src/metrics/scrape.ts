// One scrape: prom-client's registry (counters, histograms and the daemon's live gauges), then
// the families with one series per account, destination or schedule, written from state.
import type { Registry } from 'prom-client';
import { ExpositionWriter } from './exposition.ts';
import { writePerItemFamilies, type PerItemSources } from './per-item-families.ts';

export type Scrape = () => Promise<string[]>;

export function scrapeWith(registry: Registry, perItem: PerItemSources): Scrape {
  return async () => {
    const chunks = [await registry.metrics()];
    writePerItemFamilies(perItem, new ExpositionWriter((chunk) => chunks.push(chunk)));
    return chunks;
  };
}
