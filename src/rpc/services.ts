// What the RPC handlers need from the rest of the daemon. src/app provides it; rpc never
// imports app.
import type { Clock } from '../core/clock.ts';
import type { JobQueue } from '../core/jobs/index.ts';
import type { AgentConfig } from '../config/index.ts';

export interface RpcServices {
  readonly version: string;
  readonly startedAt: number;
  readonly clock: Clock;
  readonly privileged: boolean;
  readonly schemaVersion: number;
  readonly queue: JobQueue;
  config(): AgentConfig;
  connectionCounts(): { admin: number; panel: number };
  spoolUsage(): { usedBytes: number; freeBytes: number };
  reload(): { ok: boolean; error?: string };
}
