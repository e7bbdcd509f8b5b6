import { UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { humanBytes, renderRecord, renderTable } from '../table.ts';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'List, show, verify and delete snapshots.',
  usage: 'agentctl snapshot list ACCOUNT\nagentctl snapshot get SNAPSHOT\nagentctl snapshot verify SNAPSHOT\nagentctl snapshot delete SNAPSHOT',
  examples: ['agentctl snapshot list shop', 'agentctl snapshot get SNAPSHOT', 'agentctl snapshot verify SNAPSHOT      # re-reads the archive and every checksum', 'agentctl snapshot delete SNAPSHOT'],
  methods: ['snapshot.list', 'snapshot.get', 'snapshot.verify', 'snapshot.delete'],
  subcommands: ['list', 'get', 'verify', 'delete'],
  async run(args, ctx) {
    const [sub, id, ...extra] = parseCommandArgs(args, {}).positionals;
    if (!sub || !id || extra.length) throw new UsageError(`snapshot ${sub ?? ''} takes one argument`);
    const client = await ctx.client();
    if (sub === 'list') {
      const r = await client.call<{ snapshots: Record<string, unknown>[] }>('snapshot.list', { account: id });
      if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
      if (!r.snapshots.length) return ctx.out(`no snapshots of ${id}`);
      return ctx.out(renderTable([
        { key: 'snapshotId', title: 'snapshot' }, { key: 'createdAt', title: 'created' }, { key: 'scope', title: 'scope' },
        { key: 'size', title: 'size', align: 'right' }, { key: 'files', title: 'files', align: 'right' }, { key: 'trigger', title: 'trigger' },
        { key: 'expires', title: 'expires' }, { key: 'note', title: 'note' },
      ], r.snapshots.map((s) => ({ ...s, size: humanBytes(s.bytes as number), expires: s.expiresAt ?? 'never' }))));
    }
    const method = { get: 'snapshot.get', verify: 'snapshot.verify', delete: 'snapshot.delete' }[sub];
    if (!method) throw new UsageError(`snapshot: unknown subcommand ${sub}`);
    const r = await client.call<Record<string, unknown>>(method, { snapshotId: id });
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : renderRecord(r));
  },
};
