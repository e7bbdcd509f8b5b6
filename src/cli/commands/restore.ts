import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { waitForJob } from '../wait-for-job.ts';
import { renderNestedRecord, renderRecord, renderTable } from '../table.ts';

const PARTS = ['files', 'databases', 'mail', 'dns'];

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a snapshot (staging by default, or in place), approve or reject a tenant\'s restore, import an archive.',
  usage: `agentctl restore SNAPSHOT [--parts files,databases,mail,dns] [--staging|--in-place] [--target ACCOUNT] [--path DIR] [--from DESTINATION] [--wait]
agentctl restore pending                 tenant restores waiting for approval
agentctl restore approve JOB
agentctl restore reject JOB --reason TEXT
agentctl restore import FILE [--account ACCOUNT]`,
  examples: [
    'agentctl restore SNAPSHOT --staging --wait           # then: agentctl job get JOB shows where it wrote',
    'agentctl restore SNAPSHOT --in-place --parts files,databases --wait',
    'agentctl restore SNAPSHOT --in-place --from offsite   # read the copy at a destination, streamed',
    'agentctl restore pending',
    'agentctl restore approve JOB',
    'agentctl restore reject JOB --reason "use yesterday\'s snapshot"',
    'agentctl restore import /root/shop.tar.gz --account shop',
  ],
  methods: ['job.list', 'restore.approve', 'restore.reject', 'snapshot.import', 'restore.create', 'job.get', 'events.subscribe'],
  subcommands: ['pending', 'approve', 'reject', 'import'],
  positionalFirst: 'SNAPSHOT',
  async run(args, ctx) {
    const [first, ...rest] = args;
    if (!first) throw new UsageError('restore takes SNAPSHOT, or approve/reject JOB, or import FILE');
    if (first === 'pending') {
      parseCommandArgs(rest, {});
      const client = await ctx.client();
      const r = await client.call<{ jobs: Record<string, unknown>[] }>('job.list', { status: 'pending' });
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      if (!r.jobs.length) return ctx.out('no restore is waiting for approval');
      return ctx.out(renderTable([{ key: 'jobId', title: 'job' }, { key: 'account', title: 'account' }, { key: 'snapshotId', title: 'snapshot' }, { key: 'createdAt', title: 'requested' }], r.jobs));
    }
    if (first === 'approve' || first === 'reject') {
      const { values: o, positionals } = parseCommandArgs(rest, { reason: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError(`restore ${first} takes JOB`);
      if (first === 'reject' && !o.reason) throw new UsageError('restore reject needs --reason TEXT');
      const client = await ctx.client();
      const r = first === 'approve'
        ? await client.call<Record<string, unknown>>('restore.approve', { jobId: positionals[0] })
        : await client.call<Record<string, unknown>>('restore.reject', { jobId: positionals[0], reason: o.reason });
      return ctx.out(ctx.json ? JSON.stringify(r, null, 2) : `restore ${String(r.jobId)} ${String(r.status)}`);
    }
    if (first === 'import') {
      const { values: o, positionals } = parseCommandArgs(rest, { account: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('restore import takes FILE');
      const client = await ctx.client();
      const r = await client.call<Record<string, unknown>>('snapshot.import', { path: positionals[0], ...(o.account ? { account: o.account } : {}) });
      return ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderRecord(r));
    }
    const { values: o, positionals: [snapshotId, ...extra] } = parseCommandArgs(args, {
      parts: { type: 'string' }, staging: { type: 'boolean' }, 'in-place': { type: 'boolean' },
      target: { type: 'string' }, path: { type: 'string' }, from: { type: 'string' }, wait: { type: 'boolean' },
    });
    if (!snapshotId || extra.length) throw new UsageError('restore takes one SNAPSHOT');
    if (o.staging && o['in-place']) throw new UsageError('restore: --staging and --in-place exclude each other');
    const parts = o.parts ? String(o.parts).split(',').map((p) => p.trim()).filter(Boolean) : undefined;
    if (parts?.some((p) => !PARTS.includes(p))) throw new UsageError(`restore: --parts takes ${PARTS.join(',')}`);
    const client = await ctx.client();
    const started = await client.call<{ jobId: string; status: string }>('restore.create', {
      snapshotId,
      ...(parts ? { parts } : {}),
      target: { mode: o['in-place'] ? 'in-place' : 'staging', ...(o.target ? { account: o.target } : {}), ...(o.path ? { path: o.path } : {}) },
      ...(o.from ? { source: { destination: o.from } } : {}),
    });
    if (!o.wait || started.status === 'pending') return ctx.out(ctx.json ? JSON.stringify(started, null, 2) : `restore ${started.jobId} ${started.status}`);
    const job = await waitForJob(client, started.jobId, null);
    if (ctx.json) ctx.out(JSON.stringify(job, null, 2));
    else ctx.out(renderNestedRecord({ job: job.jobId, status: job.status, warnings: job.warnings.length, ...(job.result ? { result: job.result } : {}) }));
    if (!ctx.json) for (const w of job.warnings) ctx.err(`warning: ${w.code}: ${w.message}`);
    if (job.status !== 'succeeded') {
      throw new OutcomeFailed(`restore ${job.status}: ${job.errcode ?? ''}: ${job.errtext ?? ''}`);
    }
  },
};
