import type { ParamsOf, ResultOf } from '../../protocol/index.ts';
import type { agentStatus } from '../../protocol/methods/agent.ts';
import type { CallContext, SocketKind } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { frozenResult } from '../answer-json.ts';

type Status = ResultOf<typeof agentStatus>;

/** What an agent.status answer is made of; while none of it changes, the last answer stands. */
interface Inputs {
  config: object;
  uptimeSeconds: number;
  queued: number;
  running: number;
  concurrency: number;
  adminConnections: number;
  panelConnections: number;
  spoolUsed: number;
  spoolFree: number;
  pendingRestores: number;
}

function sameInputs(a: Inputs, b: Inputs): boolean {
  return a.config === b.config && a.uptimeSeconds === b.uptimeSeconds && a.queued === b.queued && a.running === b.running
    && a.concurrency === b.concurrency && a.adminConnections === b.adminConnections && a.panelConnections === b.panelConnections
    && a.spoolUsed === b.spoolUsed && a.spoolFree === b.spoolFree && a.pendingRestores === b.pendingRestores;
}

/**
 * agent.status, polled by every panel: the answer is rebuilt only when one of its figures moved
 * (uptime has a resolution of 0.1 s), otherwise the previous frozen answer is given again, which
 * the dispatcher has already checked for secrets and serialized.
 */
export function agentStatusHandler(s: RpcServices) {
  const startedAt = new Date(s.startedAt).toISOString();
  const last: Partial<Record<SocketKind, { inputs: Inputs; status: Status }>> = {};
  return (_params: ParamsOf<typeof agentStatus>, ctx: CallContext): Status => {
    const now = s.clock.now();
    const cfg = s.config();
    const admin = ctx.socket === 'admin';
    const queue = s.queue.stats();
    const connections = s.connectionCounts();
    const spoolUsage = admin ? s.spoolUsage() : null;
    const inputs: Inputs = {
      config: cfg,
      uptimeSeconds: Math.round((now - s.startedAt) / 100) / 10,
      queued: queue.queued,
      running: queue.running,
      concurrency: queue.concurrency,
      adminConnections: connections.admin,
      panelConnections: connections.panel,
      spoolUsed: spoolUsage?.usedBytes ?? 0,
      spoolFree: spoolUsage?.freeBytes ?? 0,
      pendingRestores: admin ? s.store.restoreRequests.countPending() : 0,
    };
    const previous = last[ctx.socket];
    // Running jobs are listed to admins; with any running, the answer is always built afresh.
    if (previous && !(admin && queue.running > 0) && sameInputs(previous.inputs, inputs)) return previous.status;
    // Frozen with the answer, so it holds copies, never the services' own objects.
    const status = frozenResult<Status>({
      version: s.version,
      pid: process.pid,
      uptimeSeconds: inputs.uptimeSeconds,
      startedAt,
      privileged: s.privileged,
      schemaVersion: s.schemaVersion,
      ...(admin ? { sockets: { admin: cfg.rpc.adminSocket, panel: cfg.rpc.panelSocket, download: cfg.download.socket } } : {}),
      queue: { ...queue },
      runningJobs: admin
        ? s.queue.runningJobs().map((j) => ({ jobId: j.id, kind: j.kind, account: j.account, startedAt: new Date(j.startedAt ?? now).toISOString() }))
        : [],
      ...(admin ? { pendingRestores: inputs.pendingRestores } : {}),
      ...(spoolUsage ? { spool: { path: cfg.paths.spool, ...spoolUsage } } : {}),
      connections: { ...connections },
    });
    last[ctx.socket] = { inputs, status };
    return status;
  };
}
