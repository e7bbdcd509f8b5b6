export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobWarning {
  code: string;
  message: string;
  path?: string;
}

export interface JobProgress {
  phase?: string;
  bytesDone?: number;
  bytesTotal?: number;
  [key: string]: unknown;
}

export interface JobRecord {
  id: string;
  kind: string;
  account: string | null;
  status: JobStatus;
  trigger: string;
  params: Record<string, unknown>;
  progress: JobProgress;
  result: Record<string, unknown> | null;
  warnings: JobWarning[];
  errcode: string | null;
  errtext: string | null;
  snapshotId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface NewJob {
  id: string;
  kind: string;
  account: string | null;
  trigger: string;
  params: Record<string, unknown>;
  snapshotId?: string | null;
  createdAt: number;
}

export interface JobFinish {
  status: 'succeeded' | 'failed' | 'cancelled';
  finishedAt: number;
  result?: Record<string, unknown> | null;
  warnings?: JobWarning[];
  errcode?: string | null;
  errtext?: string | null;
}

/** Persistence the queue needs; src/state implements it on SQLite. */
export interface JobStore {
  insert(job: NewJob): JobRecord;
  get(id: string): JobRecord | null;
  list(filter: { account?: string; status?: JobStatus; limit?: number }): JobRecord[];
  markRunning(id: string, at: number): void;
  setProgress(id: string, progress: JobProgress): void;
  finish(id: string, finish: JobFinish): void;
  /** Jobs in the given status, oldest first. */
  byStatus(status: JobStatus): JobRecord[];
}
