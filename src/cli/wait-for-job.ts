import type { RpcClient } from '../client/index.ts';
import { ProgressBar } from './progress.ts';

export interface JobResult {
  jobId: string;
  status: string;
  errcode?: string;
  errtext?: string;
  snapshotId: string | null;
  warnings: { code: string; message: string }[];
  /** Once succeeded: a restore's says where it wrote. */
  result?: Record<string, unknown>;
}

/**
 * Follows a job to its end: progress events drive the bar, and the job is read back once it
 * finishes (or every few seconds, in case an event was dropped).
 */
export async function waitForJob(client: RpcClient, jobId: string, account: string | null): Promise<JobResult> {
  const bar = new ProgressBar();
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => { finished = r; });
  const off = client.onNotification((method, raw) => {
    const p = raw as { jobId?: string; phase?: string; bytesDone?: number; bytesTotal?: number };
    if (p.jobId !== jobId) return;
    if (method === 'job.progress') bar.update(p.phase ?? '', p.bytesDone ?? 0, p.bytesTotal);
    if (method === 'job.finished') finished();
  });
  await client.call('events.subscribe', { types: ['job.progress', 'job.finished'], ...(account ? { account } : {}) });
  try {
    for (;;) {
      const job = await client.call<JobResult>('job.get', { jobId });
      if (job.status !== 'queued' && job.status !== 'running') return job;
      await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
    }
  } finally {
    off();
    bar.done();
  }
}
