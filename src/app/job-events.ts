import type { EventBus } from '../core/events/event-bus.ts';
import type { JobQueueEvents, JobRecord } from '../core/jobs/index.ts';

/**
 * Job progress and completion as panel events. `describe` notifies about a finished job and
 * returns its rendered title and body, which the event carries for the panel's own feed.
 */
export function publishJobEvents(bus: EventBus, describe: (job: JobRecord) => { title: string; body: string } | null): JobQueueEvents {
  return {
    onProgress: (job, progress) => bus.publish({ type: 'job.progress', account: job.account, payload: { jobId: job.id, kind: job.kind, snapshotId: job.snapshotId, ...progress } }),
    onFinished: (job) => {
      const message = describe(job);
      bus.publish({
      type: 'job.finished',
      account: job.account,
      payload: {
        jobId: job.id, kind: job.kind, status: job.status, snapshotId: job.snapshotId, trigger: job.trigger,
        errcode: job.errcode, errtext: job.errtext, warnings: job.warnings.length,
        durationMs: job.finishedAt && job.startedAt ? job.finishedAt - job.startedAt : null,
        ...(message ? { title: message.title, body: message.body } : {}),
      },
      });
    },
  };
}
