import type { RpcClient } from '../../src/client/index.ts';
import { waitFor } from './tenant.ts';

export interface JobView { jobId: string; status: string; errcode?: string; errtext?: string; snapshotId: string | null; warnings: { code: string; message: string }[]; progress: Record<string, unknown> }
export interface SnapshotView { snapshotId: string; sha256: string; bytes: number; files: number; parts: string[]; path?: string; temporary: boolean; expiresAt: string | null }

/** Waits for a job to leave queued/running and returns its final view. */
export function waitForJob(c: RpcClient, jobId: string, timeoutMs = 120000, actor?: Record<string, string>): Promise<JobView> {
  return waitFor(async () => {
    const j = await c.call<JobView>('job.get', { jobId, ...(actor ? { actor } : {}) });
    return j.status === 'queued' || j.status === 'running' ? undefined : j;
  }, timeoutMs, `job ${jobId}`);
}

export async function backupAndWait(c: RpcClient, params: Record<string, unknown>): Promise<{ job: JobView; snapshot: SnapshotView }> {
  const { jobId, snapshotId } = await c.call<{ jobId: string; snapshotId: string }>('backup.create', params);
  const job = await waitForJob(c, jobId);
  if (job.status !== 'succeeded') throw new Error(`backup ${jobId} ${job.status}: ${job.errcode} ${job.errtext}`);
  const snapshot = await c.call<SnapshotView>('snapshot.get', { snapshotId });
  return { job, snapshot };
}
