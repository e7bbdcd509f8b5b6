import { OutcomeFailed, UsageError } from '../command.ts';
import { choiceArg, intArg, parseCommandArgs } from '../args.ts';
import { renderNestedRecord } from '../table.ts';
import { commandOf, type Subcommand } from '../subcommand.ts';
import { deleteSubcommand, keyedSubcommand, listSubcommand } from '../resource.ts';
import { waitForJob, type JobResult } from '../wait-for-job.ts';

const PUT_OPTIONS = {
  cron: { type: 'string' }, timezone: { type: 'string' },
  account: { type: 'string' }, package: { type: 'string' }, all: { type: 'boolean' },
  scope: { type: 'string' }, compression: { type: 'string' }, dest: { type: 'string', multiple: true },
  'keep-last': { type: 'string' }, 'keep-daily': { type: 'string' }, 'keep-weekly': { type: 'string' }, 'keep-monthly': { type: 'string' },
  jitter: { type: 'string' }, disabled: { type: 'boolean' },
} as const;

function putParams(id: string, o: Record<string, unknown>): Record<string, unknown> {
  const targets = [o.account ? { account: o.account } : null, o.package ? { package: o.package } : null, o.all ? { all: true } : null].filter(Boolean);
  if (targets.length !== 1) throw new UsageError('schedule put needs exactly one of --account NAME, --package NAME, --all');
  if (!o.cron) throw new UsageError('schedule put needs --cron');
  const dest = o.dest as string[] | undefined;
  if (!dest?.length) throw new UsageError('schedule put needs at least one --dest NAME');
  const retention = Object.fromEntries(([['keepLast', 'keep-last'], ['keepDaily', 'keep-daily'], ['keepWeekly', 'keep-weekly'], ['keepMonthly', 'keep-monthly']] as const)
    .map(([k, flag]) => [k, intArg(o[flag] as string | undefined, `--${flag}`)]).filter(([, v]) => v !== undefined));
  return {
    id, cron: o.cron, target: targets[0], destinations: dest, retention, enabled: !o.disabled,
    ...(o.timezone ? { timezone: o.timezone } : {}), ...(o.scope ? { scope: o.scope } : {}), ...(o.compression ? { compression: o.compression } : {}),
    ...(o.jitter !== undefined ? { jitterSeconds: intArg(o.jitter as string, '--jitter') } : {}),
  };
}

const put: Subcommand = {
  name: 'put',
  usage: [
    'ID --cron EXPR (--account NAME | --package NAME | --all) --dest NAME [--dest NAME ...]',
    '      [--timezone TZ] [--scope full|hosting|mail|configuration] [--compression gzip|zstd]',
    '      [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--jitter SECONDS] [--disabled]',
  ].join('\n'),
  methods: ['schedule.put'],
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, PUT_OPTIONS);
    if (positionals.length !== 1) throw new UsageError('schedule put takes one ID');
    choiceArg(values.scope, 'schedule.put', 'scope', '--scope');
    choiceArg(values.compression, 'schedule.put', 'compression', '--compression');
    const r = await (await ctx.client()).call<Record<string, unknown>>('schedule.put', putParams(positionals[0]!, values));
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderNestedRecord(r));
  },
};

const run: Subcommand = {
  name: 'run',
  usage: 'ID [--wait]     (--wait: until every queued job ends; exit 1 if one failed)',
  methods: ['schedule.run', 'events.subscribe', 'job.get'],
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { wait: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('schedule run takes ID');
    const client = await ctx.client();
    const r = await client.call<{ queued: { account: string; jobId: string }[]; skipped: string[]; failed: { account: string; code: string }[] }>('schedule.run', { id: positionals[0] });
    // Jobs run under the daemon's concurrency limit; waiting on them one by one still ends when the last does.
    const ended: JobResult[] = [];
    if (values.wait) for (const q of r.queued) ended.push(await waitForJob(client, q.jobId, q.account));
    if (ctx.json) ctx.out(JSON.stringify(values.wait ? { ...r, jobs: ended } : r, null, 2));
    else {
      for (const q of r.queued) {
        const job = ended.find((j) => j.jobId === q.jobId);
        ctx.out(job ? `${job.status} ${q.account} job ${q.jobId}${job.errcode ? ` ${job.errcode}: ${job.errtext ?? ''}` : ''}` : `queued ${q.account} job ${q.jobId}`);
      }
      for (const a of r.skipped) ctx.out(`skipped ${a}: previous run still queued or running`);
      for (const f of r.failed) ctx.out(`failed ${f.account}: ${f.code}`);
    }
    if (r.failed.length) throw new OutcomeFailed(`${r.failed.length} account(s) failed to queue`);
    const jobsFailed = ended.filter((j) => j.status !== 'succeeded');
    if (jobsFailed.length) throw new OutcomeFailed(`${jobsFailed.length} job(s) did not succeed`);
  },
};

const next: Subcommand = {
  name: 'next',
  usage: 'ID        (the next 5 fire times)',
  methods: ['schedule.get'],
  async run(args, ctx) {
    const { positionals } = parseCommandArgs(args, {});
    if (positionals.length !== 1) throw new UsageError('schedule next takes ID');
    const r = await (await ctx.client()).call<{ nextFires: string[] }>('schedule.get', { id: positionals[0] });
    ctx.out(ctx.json ? JSON.stringify(r.nextFires) : r.nextFires.join('\n'));
  },
};

export const scheduleCommand = commandOf({
  name: 'schedule',
  summary: 'Cron schedules of off-host backups with retention.',
  examples: [
    "agentctl schedule put nightly --cron '0 3 * * *' --account shop --dest offsite --keep-daily 7 --keep-weekly 4",
    'agentctl schedule get nightly',
    'agentctl schedule list',
    'agentctl schedule next nightly',
    'agentctl schedule run nightly            # now, for every account it covers',
    'agentctl schedule run nightly --wait     # and wait: exit 1 if a job failed (for cron)',
    'agentctl schedule delete nightly         # its snapshots stay',
  ],
  subcommands: [
    put,
    keyedSubcommand('schedule.get', 'ID', (r) => renderNestedRecord(r)),
    listSubcommand('schedule.list', {
      field: 'schedules', empty: 'no schedules',
      columns: [{ key: 'id', title: 'id' }, { key: 'cron', title: 'cron' }, { key: 'timezone', title: 'tz' }, { key: 'target', title: 'target' }, { key: 'destinations', title: 'destinations' }, { key: 'enabled', title: 'on' }, { key: 'nextFireAt', title: 'next' }],
      rows: (s) => ({ ...s, target: JSON.stringify(s.target), destinations: (s.destinations as string[]).join(',') }),
    }),
    run,
    next,
    deleteSubcommand('schedule.delete', 'ID'),
  ],
});
