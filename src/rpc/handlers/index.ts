// Binds every method descriptor to its handler. A descriptor without a handler is a start-up
// error, so rpc.discover never advertises a method the daemon cannot serve.
import { METHODS, buildOpenRpcDocument, type MethodDescriptor } from '../../protocol/index.ts';
import type { Handler, RegisteredMethod } from '../dispatcher.ts';
import type { SocketKind } from '../call-context.ts';
import type { RpcServices } from '../services.ts';
import { codeBuiltResult } from '../answer-json.ts';
import { agentStatusHandler } from './agent.ts';
import { accountHandlers } from './accounts.ts';
import { packageHandlers } from './packages.ts';
import { backupHandlers } from './backup.ts';
import { jobHandlers } from './jobs.ts';
import { snapshotHandlers } from './snapshots.ts';
import { eventHandlers } from './events.ts';
import { downloadHandlers } from './download.ts';
import { notifyHandlers } from './notify.ts';
import { destinationHandlers } from './destinations.ts';
import { scheduleHandlers } from './schedules.ts';
import { restoreHandlers } from './restore.ts';

type HandlerTable = Record<string, Handler>;

function handlerTable(s: RpcServices): HandlerTable {
  return {
    'agent.status': agentStatusHandler(s),
    'agent.reload': () => s.reload(),
    ...accountHandlers(s),
    ...packageHandlers(s),
    ...backupHandlers(s),
    ...jobHandlers(s),
    ...snapshotHandlers(s),
    ...eventHandlers(s),
    ...downloadHandlers(s),
    ...notifyHandlers(s),
    ...restoreHandlers(s),
    ...destinationHandlers(s),
    ...scheduleHandlers(s),
  };
}

export function registeredMethods(s: RpcServices): RegisteredMethod[] {
  const table = handlerTable(s);
  const out: RegisteredMethod[] = [];
  const discover: Record<SocketKind, unknown> = { admin: null, panel: null };
  for (const descriptor of METHODS) {
    if (descriptor.name === 'rpc.discover') {
      out.push({ descriptor, handler: (_p, ctx) => discover[ctx.socket] });
      continue;
    }
    const handler = table[descriptor.name];
    if (!handler) throw new Error(`no handler for RPC method ${descriptor.name}`);
    out.push({ descriptor, handler });
  }
  const visible = (kind: SocketKind): MethodDescriptor[] => out.map((m) => m.descriptor).filter((d) => kind === 'admin' || d.scope === 'tenant');
  for (const kind of ['admin', 'panel'] as const) {
    // Built from the descriptors only, so it goes out unredacted (redaction would turn schemas of
    // secret-named params into "***"); frozen, so it is serialized once, not per call of a batch.
    discover[kind] = codeBuiltResult(buildOpenRpcDocument(visible(kind), {
      title: `hostagent ${kind === 'admin' ? 'admin' : 'panel'} API`,
      version: s.version,
      description: kind === 'admin' ? 'Every method; served on the admin socket.' : 'Tenant-scoped methods; served on the panel socket.',
    }));
  }
  return out;
}
