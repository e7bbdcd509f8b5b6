export { Dispatcher, takesActor, type Handler, type RegisteredMethod } from './dispatcher.ts';
export { RpcServer, type SocketLimits } from './rpc-server.ts';
export { RpcConnection, type ConnectionLimits } from './connection.ts';
export { registeredMethods } from './handlers/index.ts';
export type { RpcServices } from './services.ts';
export type { CallContext, SocketKind, Actor } from './call-context.ts';
export { listenUnix, claimSocketPath, type SocketSpec } from './unix-listener.ts';
