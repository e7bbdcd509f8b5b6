import { Type } from '@sinclair/typebox';
import { defineMethod } from '../method.ts';
import { EmptyParams } from '../common.ts';

export const agentStatus = defineMethod({
  name: 'agent.status',
  scope: 'tenant',
  summary: 'Health and load of the daemon.',
  description: 'On the panel socket the socket paths and spool figures are left out.',
  params: EmptyParams,
  result: Type.Object({
    version: Type.String(),
    pid: Type.Integer(),
    uptimeSeconds: Type.Number(),
    startedAt: Type.String({ format: 'date-time' }),
    privileged: Type.Boolean({ description: 'Whether the daemon runs as root (false in --dev mode as a normal user).' }),
    schemaVersion: Type.Integer(),
    sockets: Type.Optional(Type.Object({ admin: Type.String(), panel: Type.String(), download: Type.String() })),
    queue: Type.Object({ queued: Type.Integer(), running: Type.Integer(), concurrency: Type.Integer() }),
    runningJobs: Type.Array(Type.Object({ jobId: Type.String(), kind: Type.String(), account: Type.Union([Type.String(), Type.Null()]), startedAt: Type.String() })),
    pendingRestores: Type.Optional(Type.Integer({ description: 'Tenant restores waiting for an admin to approve or reject them (admin socket only).' })),
    spool: Type.Optional(Type.Object({ path: Type.String(), usedBytes: Type.Integer(), freeBytes: Type.Integer() })),
    connections: Type.Object({ admin: Type.Integer(), panel: Type.Integer() }),
  }),
  errors: [],
});

export const rpcDiscover = defineMethod({
  name: 'rpc.discover',
  scope: 'tenant',
  summary: 'The OpenRPC 1.3 document of the methods this socket serves.',
  params: EmptyParams,
  result: Type.Object({ openrpc: Type.String() }, { additionalProperties: true }),
  errors: [],
});

export const agentReload = defineMethod({
  name: 'agent.reload',
  scope: 'admin',
  summary: 'Re-read the configuration file, as SIGHUP does.',
  description: 'A bad file is refused and the running configuration kept; connections are never dropped.',
  params: EmptyParams,
  result: Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) }),
  errors: [],
});
