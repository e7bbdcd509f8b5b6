import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { parseCommandArgs, intArg, choiceArg } from '../args.ts';
import { waitForJob } from '../wait-for-job.ts';
import { renderRecord } from '../table.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Take a snapshot of an account (create) or estimate one.',
  usage: `agentctl backup create ACCOUNT [--scope full|hosting|mail|configuration] [--compression gzip|zstd] [--split KIB] [--note TEXT] [--destination NAME]... [--wait]
agentctl backup estimate ACCOUNT [--scope S]`,
  examples: ['agentctl backup create shop --scope full --wait', 'agentctl backup create shop --destination offsite --note "before the upgrade"', 'agentctl backup estimate shop'],
  methods: ['backup.create', 'job.get', 'events.subscribe', 'snapshot.get', 'backup.estimate'],
  subcommands: ['create', 'estimate'],
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const { values: o, positionals } = parseCommandArgs(rest, {
      scope: { type: 'string' }, compression: { type: 'string' }, split: { type: 'string' }, note: { type: 'string' },
      destination: { type: 'string', multiple: true }, wait: { type: 'boolean' },
    });
    const [account] = positionals;
    if (!account || positionals.length !== 1) throw new UsageError(`backup ${sub ?? ''} takes ACCOUNT`);
    choiceArg(o.scope, 'backup.create', 'scope', '--scope');
    choiceArg(o.compression, 'backup.create', 'compression', '--compression');
    const client = await ctx.client();
    if (sub === 'estimate') {
      const e = await client.call<Record<string, unknown>>('backup.estimate', { account, ...(o.scope ? { scope: o.scope } : {}) });
      return ctx.out(ctx.json ? JSON.stringify(e, null, 2) : renderRecord(e));
    }
    if (sub !== 'create') throw new UsageError(`backup: unknown subcommand ${sub ?? '(none)'}`);
    const started = await client.call<{ jobId: string; snapshotId: string }>('backup.create', {
      account,
      ...(o.scope ? { scope: o.scope } : {}),
      ...(o.compression ? { compression: o.compression } : {}),
      ...(o.split ? { splitSize: intArg(o.split, '--split') } : {}),
      ...(o.note ? { note: o.note } : {}),
      ...(o.destination ? { destinations: o.destination } : {}),
    });
    if (!o.wait) return ctx.out(ctx.json ? JSON.stringify(started, null, 2) : `job ${started.jobId} queued; snapshot ${started.snapshotId}`);
    const job = await waitForJob(client, started.jobId, account);
    if (ctx.json) ctx.out(JSON.stringify(job, null, 2));
    else if (job.status === 'succeeded') {
      const s = await client.call<{ path?: string; bytes: number; sha256: string }>('snapshot.get', { snapshotId: started.snapshotId });
      ctx.out(renderRecord({ snapshot: started.snapshotId, status: job.status, bytes: s.bytes, sha256: s.sha256, path: s.path ?? '-', warnings: job.warnings.length }));
      for (const w of job.warnings) ctx.err(`warning: ${w.code}: ${w.message}`);
    }
    if (job.status !== 'succeeded') {
      throw new OutcomeFailed(`backup ${job.status}: ${job.errcode ?? ''}: ${job.errtext ?? ''}`);
    }
  },
};
