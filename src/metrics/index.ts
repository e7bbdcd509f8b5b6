export { EventMetrics } from './event-metrics.ts';
export { registerLiveGauges, type LiveSources } from './live-gauges.ts';
export { type PerItemSources } from './per-item-families.ts';
export { scrapeWith, type Scrape } from './scrape.ts';
export { MetricsServer } from './metrics-server.ts';
