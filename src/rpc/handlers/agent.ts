import type { ParamsOf, ResultOf } from '../../protocol/index.ts';
import type { agentStatus } from '../../protocol/methods/agent.ts';
import type { CallContext } from '../call-context.ts';
import type { RpcServices } from '../services.ts';

export function agentStatusHandler(s: RpcServices) {
  return (_params: ParamsOf<typeof agentStatus>, ctx: CallContext): ResultOf<typeof agentStatus> => {
    const now = s.clock.now();
    const cfg = s.config();
    const admin = ctx.socket === 'admin';
    return {
      version: s.version,
      pid: process.pid,
      uptimeSeconds: Math.round((now - s.startedAt) / 100) / 10,
      startedAt: new Date(s.startedAt).toISOString(),
      privileged: s.privileged,
      schemaVersion: s.schemaVersion,
      ...(admin ? { sockets: { admin: cfg.rpc.adminSocket, panel: cfg.rpc.panelSocket, download: cfg.download.socket } } : {}),
      queue: s.queue.stats(),
      runningJobs: admin
        ? s.queue.runningJobs().map((j) => ({ jobId: j.id, kind: j.kind, account: j.account, startedAt: new Date(j.startedAt ?? now).toISOString() }))
        : [],
      ...(admin ? { spool: { path: cfg.paths.spool, ...s.spoolUsage() } } : {}),
      connections: s.connectionCounts(),
    };
  };
}
