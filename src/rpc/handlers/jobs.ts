import type { ParamsOf } from '../../protocol/index.ts';
import type * as M from '../../protocol/methods/job.ts';
import type { RpcServices } from '../services.ts';
import { AgentError } from '../../errors/index.ts';
import { assertOwnAccount, visibleJob } from './access.ts';
import { jobView, restoreRequestView } from './views.ts';

const DEFAULT_LIMIT = 100;

export function jobHandlers(s: RpcServices) {
  return {
    'job.get': (p: ParamsOf<typeof M.jobGet>) => {
      // An approved restore is a job under the same id; before that only its request exists.
      if (!s.store.jobs.get(p.jobId)) {
        const r = s.store.restoreRequests.get(p.jobId);
        if (r && r.status !== 'approved') {
          if (p.actor && r.account !== p.actor.account) throw new AgentError('AGENT_E_NOT_FOUND', `job ${p.jobId} not found`);
          return restoreRequestView(r);
        }
      }
      return jobView(visibleJob(s, p.jobId, p.actor));
    },
    'job.list': (p: ParamsOf<typeof M.jobList>) => {
      if (p.account !== undefined) assertOwnAccount(p.actor, p.account);
      const account = p.actor?.account ?? p.account;
      const limit = p.limit ?? DEFAULT_LIMIT;
      const requests = p.status === undefined || p.status === 'pending' || p.status === 'rejected'
        ? s.store.restoreRequests.undecided({ account, status: p.status as 'pending' | 'rejected' | undefined, limit }).map(restoreRequestView)
        : [];
      const jobs = p.status === 'pending' || p.status === 'rejected' ? [] : s.store.jobs.list({ account, status: p.status, limit }).map(jobView);
      // One list, newest first: ISO timestamps of one format sort as strings.
      return { jobs: [...jobs, ...requests].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)).slice(0, limit) };
    },
    'job.cancel': async (p: ParamsOf<typeof M.jobCancel>) => {
      visibleJob(s, p.jobId, p.actor);
      return jobView(await s.queue.cancel(p.jobId));
    },
  };
}
