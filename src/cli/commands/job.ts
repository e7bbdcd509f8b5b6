import { renderNestedRecord } from '../table.ts';
import { commandOf } from '../subcommand.ts';
import { keyedSubcommand, listSubcommand } from '../resource.ts';

export const jobCommand = commandOf({
  name: 'job',
  summary: 'List, show and cancel jobs, tenant restores waiting for approval included.',
  examples: [
    'agentctl job list --status failed --limit 20',
    'agentctl job list --account shop',
    'agentctl job get JOB                 # for a restore: where it wrote (staging path, databases, mail folder)',
    'agentctl job cancel JOB',
  ],
  subcommands: [
    listSubcommand('job.list', {
      field: 'jobs', empty: 'no jobs',
      columns: [{ key: 'jobId', title: 'job' }, { key: 'kind', title: 'kind' }, { key: 'account', title: 'account' }, { key: 'status', title: 'status' }, { key: 'trigger', title: 'trigger' },
        { key: 'createdAt', title: 'created' }, { key: 'errcode', title: 'error' }],
    }),
    keyedSubcommand('job.get', 'JOB', (r) => renderNestedRecord(r)),
    keyedSubcommand('job.cancel', 'JOB', (r) => `job ${String(r.jobId)} ${String(r.status)}`),
  ],
});
