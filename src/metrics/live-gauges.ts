// Gauges of the running daemon, read at scrape time from the queue and the spool.
import { Gauge, type Registry } from 'prom-client';

export interface LiveSources {
  queue(): { queued: number; running: number };
  spoolBytes(): number;
}

export function registerLiveGauges(registry: Registry, sources: LiveSources): void {
  const registers = [registry];
  new Gauge({
    name: 'hostagent_queue_depth', help: 'Jobs queued and waiting for a slot of the host-wide concurrency limit.', registers,
    collect() {
      this.set(sources.queue().queued);
    },
  });
  new Gauge({
    name: 'hostagent_jobs_running', help: 'Jobs running now.', registers,
    collect() {
      this.set(sources.queue().running);
    },
  });
  new Gauge({
    name: 'hostagent_spool_bytes', help: 'Bytes of regular files in the spool: local snapshots and work in progress.', registers,
    collect() {
      this.set(sources.spoolBytes());
    },
  });
}
