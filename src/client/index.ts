export { RpcClient, RpcCallError, RpcUnavailableError, type RpcErrorInfo, type NotificationListener } from './rpc-client.ts';
