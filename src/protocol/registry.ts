// Every method the daemon serves, in one list the daemon, the client and rpc.discover share.
import type { MethodDescriptor } from './method.ts';
import * as agent from './methods/agent.ts';
import * as account from './methods/account.ts';
import * as pkg from './methods/package.ts';
import * as backup from './methods/backup.ts';
import * as job from './methods/job.ts';
import * as snapshot from './methods/snapshot.ts';
import * as events from './methods/events.ts';
import * as download from './methods/download.ts';
import * as notify from './methods/notify.ts';
import * as destination from './methods/destination.ts';
import * as schedule from './methods/schedule.ts';
import * as restore from './methods/restore.ts';

const modules: Record<string, unknown>[] = [agent, account, pkg, backup, job, snapshot, events, download, notify, destination, schedule, restore];

function isDescriptor(v: unknown): v is MethodDescriptor {
  return typeof v === 'object' && v !== null && typeof (v as MethodDescriptor).name === 'string' && 'params' in v && 'scope' in v;
}

export const METHODS: readonly MethodDescriptor[] = modules.flatMap((m) => Object.values(m).filter(isDescriptor));

export const METHOD_BY_NAME: ReadonlyMap<string, MethodDescriptor> = new Map(METHODS.map((m) => [m.name, m]));
