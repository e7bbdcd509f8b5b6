import { UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { humanBytes, renderRecord, renderTable } from '../table.ts';

interface Status {
  version: string; pid: number; uptimeSeconds: number; privileged: boolean; schemaVersion: number;
  sockets?: Record<string, string>; queue: { queued: number; running: number; concurrency: number };
  runningJobs: { jobId: string; kind: string; account: string | null; startedAt: string }[];
  pendingRestores?: number;
  spool?: { path: string; usedBytes: number; freeBytes: number }; connections: { admin: number; panel: number };
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the daemon\'s health, queue and spool.',
  usage: 'agentctl status',
  examples: ['agentctl status', 'agentctl status --json'],
  methods: ['agent.status'],
  async run(args, ctx) {
    const { positionals } = parseCommandArgs(args, {});
    if (positionals.length) throw new UsageError('status takes no arguments');
    const s = await (await ctx.client()).call<Status>('agent.status');
    if (ctx.json) return ctx.out(JSON.stringify(s, null, 2));
    ctx.out(renderRecord({
      version: s.version,
      pid: s.pid,
      uptime: `${s.uptimeSeconds}s`,
      privileged: s.privileged,
      'schema version': s.schemaVersion,
      queue: `${s.queue.running} running, ${s.queue.queued} queued (limit ${s.queue.concurrency})`,
      ...(s.pendingRestores !== undefined ? { 'pending restores': `${s.pendingRestores}${s.pendingRestores ? ' (agentctl restore pending)' : ''}` } : {}),
      ...(s.spool ? { spool: `${s.spool.path}: ${humanBytes(s.spool.usedBytes)} used, ${humanBytes(s.spool.freeBytes)} free` } : {}),
      ...(s.sockets ? { sockets: Object.entries(s.sockets).map(([k, v]) => `${k}=${v}`).join(' ') } : {}),
      connections: `admin ${s.connections.admin}, panel ${s.connections.panel}`,
    }));
    if (s.runningJobs.length) ctx.out('\n' + renderTable([{ key: 'jobId', title: 'job' }, { key: 'kind', title: 'kind' }, { key: 'account', title: 'account' }, { key: 'startedAt', title: 'started' }], s.runningJobs));
  },
};
