export type { JobRecord, JobStatus, JobWarning, JobProgress, JobStore, NewJob, JobFinish } from './job.ts';
export { JobQueue, type JobKind, type JobRunContext, type JobOutcome, type JobQueueEvents } from './job-queue.ts';
