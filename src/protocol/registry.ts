// Every method the daemon serves, in one list the daemon, the client and rpc.discover share.
import type { MethodDescriptor } from './method.ts';
import * as agent from './methods/agent.ts';

const modules: Record<string, MethodDescriptor>[] = [agent];

export const METHODS: readonly MethodDescriptor[] = modules.flatMap((m) => Object.values(m));

export const METHOD_BY_NAME: ReadonlyMap<string, MethodDescriptor> = new Map(METHODS.map((m) => [m.name, m]));
