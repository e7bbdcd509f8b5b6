import fs from 'node:fs';
import { UsageError } from '../command.ts';
import { choiceArg, intArg, parseCommandArgs } from '../args.ts';
import { renderNestedRecord } from '../table.ts';
import { commandOf, type Subcommand } from '../subcommand.ts';
import { deleteSubcommand, keyedSubcommand, listSubcommand } from '../resource.ts';

const PUT_USAGE = 'NAME [--tenant-backups on|off] [--per-day N] [--max-bytes N] [--download-ttl SECONDS] [--tenant-restore approval|auto|disabled] [--notify URL]... [--notify-level LEVEL]\n'
  + 'agentctl package put --from FILE|-        (the package.put params as JSON)';

function putParams(name: string | undefined, o: Record<string, string | string[] | undefined>): Record<string, unknown> {
  if (!name) throw new UsageError('package put takes NAME');
  if (o['tenant-backups'] !== undefined && o['tenant-backups'] !== 'on' && o['tenant-backups'] !== 'off') throw new UsageError(`--tenant-backups must be on or off (got ${String(o['tenant-backups'])})`);
  const tenantBackups = Object.fromEntries(Object.entries({
    enabled: o['tenant-backups'] === undefined ? undefined : o['tenant-backups'] === 'on',
    perDay: intArg(o['per-day'] as string | undefined, '--per-day'),
    maxBytes: intArg(o['max-bytes'] as string | undefined, '--max-bytes'),
  }).filter(([, v]) => v !== undefined));
  const notify = o.notify as string[] | undefined;
  return {
    name,
    ...(Object.keys(tenantBackups).length ? { tenantBackups } : {}),
    ...(o['download-ttl'] !== undefined ? { downloadTtlSeconds: intArg(o['download-ttl'] as string, '--download-ttl') } : {}),
    ...(o['tenant-restore'] !== undefined ? { tenantRestore: choiceArg(o['tenant-restore'] as string, 'package.put', 'tenantRestore', '--tenant-restore') } : {}),
    ...(notify || o['notify-level'] ? { notifications: { ...(notify ? { urls: notify } : {}), ...(o['notify-level'] ? { level: o['notify-level'] } : {}) } } : {}),
  };
}

const put: Subcommand = {
  name: 'put',
  usage: PUT_USAGE,
  methods: ['package.put'],
  async run(args, ctx) {
    const { values: o, positionals } = parseCommandArgs(args, {
      from: { type: 'string' }, 'tenant-backups': { type: 'string' }, 'per-day': { type: 'string' }, 'max-bytes': { type: 'string' },
      'download-ttl': { type: 'string' }, 'tenant-restore': { type: 'string' }, notify: { type: 'string', multiple: true }, 'notify-level': { type: 'string' },
    });
    let params: Record<string, unknown>;
    if (o.from !== undefined) {
      try {
        params = JSON.parse(fs.readFileSync(o.from === '-' ? 0 : o.from, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(`--from: ${(err as Error).message}`);
      }
    } else {
      if (positionals.length > 1) throw new UsageError('package put takes one NAME');
      params = putParams(positionals[0], o);
    }
    const r = await (await ctx.client()).call<Record<string, unknown>>('package.put', params);
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderNestedRecord(r));
  },
};

export const packageCommand = commandOf({
  name: 'package',
  summary: 'Packages (plans): tenant backup limits, download link lifetime, tenant restores.',
  examples: [
    'agentctl package put basic --tenant-backups on --per-day 2 --tenant-restore approval',
    'agentctl package get basic',
    'agentctl package list',
    'agentctl package delete basic',
  ],
  subcommands: [
    put,
    keyedSubcommand('package.get', 'NAME', (r) => renderNestedRecord(r)),
    listSubcommand('package.list', {
      field: 'packages', empty: 'no packages',
      columns: [{ key: 'name', title: 'package' }, { key: 'tenant', title: 'tenant backups' }, { key: 'downloadTtlSeconds', title: 'link ttl', align: 'right' }, { key: 'tenantRestore', title: 'tenant restore' }, { key: 'accounts', title: 'accounts', align: 'right' }],
      rows: (p) => {
        const tb = p.tenantBackups as { enabled: boolean; perDay: number };
        return { ...p, tenant: tb.enabled ? `${tb.perDay}/day` : 'off' };
      },
    }),
    deleteSubcommand('package.delete', 'NAME'),
  ],
});
