import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { intArg, parseCommandArgs } from '../args.ts';
import { renderTable } from '../table.ts';

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

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'Cron schedules of off-host backups with retention.',
  usage: [
    'agentctl schedule put ID --cron EXPR (--account NAME | --package NAME | --all) --dest NAME [--dest NAME ...]',
    '      [--timezone TZ] [--scope full|hosting|mail|configuration] [--compression gzip|zstd]',
    '      [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--jitter SECONDS] [--disabled]',
    'agentctl schedule list',
    'agentctl schedule run ID',
    'agentctl schedule next ID        (the next 5 fire times)',
  ].join('\n'),
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'put') {
      const { values, positionals } = parseCommandArgs(rest, PUT_OPTIONS);
      if (positionals.length !== 1) throw new UsageError('schedule put takes one ID');
      const r = await (await ctx.client()).call('schedule.put', putParams(positionals[0]!, values));
      return ctx.out(JSON.stringify(r, null, 2));
    }
    const client = await ctx.client();
    if (sub === 'list') {
      if (rest.length) throw new UsageError('schedule list takes no arguments');
      const r = await client.call<{ schedules: Record<string, unknown>[] }>('schedule.list', {});
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      return ctx.out(renderTable([{ key: 'id', title: 'id' }, { key: 'cron', title: 'cron' }, { key: 'timezone', title: 'tz' }, { key: 'target', title: 'target' }, { key: 'destinations', title: 'destinations' }, { key: 'enabled', title: 'on' }, { key: 'nextFireAt', title: 'next' }],
        r.schedules.map((s) => ({ ...s, target: JSON.stringify(s.target), destinations: (s.destinations as string[]).join(',') }))));
    }
    const [id, ...extra] = rest;
    if (!id || extra.length) throw new UsageError(`schedule ${sub ?? ''} takes ID`);
    if (sub === 'run') {
      const r = await client.call<{ queued: { account: string; jobId: string }[]; skipped: string[]; failed: { account: string; code: string }[] }>('schedule.run', { id });
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      for (const q of r.queued) ctx.out(`queued ${q.account} job ${q.jobId}`);
      for (const a of r.skipped) ctx.out(`skipped ${a}: previous run still queued or running`);
      for (const f of r.failed) ctx.out(`failed ${f.account}: ${f.code}`);
      if (r.failed.length) throw new OutcomeFailed(`${r.failed.length} account(s) failed to queue`);
      return;
    }
    if (sub === 'next') {
      const r = await client.call<{ nextFires: string[] }>('schedule.get', { id });
      return ctx.out(ctx.json ? JSON.stringify(r.nextFires) : r.nextFires.join('\n'));
    }
    throw new UsageError(`schedule: unknown subcommand ${sub ?? '(none)'}`);
  },
};
