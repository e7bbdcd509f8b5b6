// JSON-RPC 2.0 envelope rules the json-rpc-2.0 library leaves to us: it treats a request with a
// non-string method and no id as a notification, and accepts scalar params.

export type RequestId = string | number | null;

export interface RpcRequest {
  jsonrpc: '2.0';
  method: string;
  params?: unknown[] | Record<string, unknown>;
  id?: RequestId;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcResponse =
  | { jsonrpc: '2.0'; id: RequestId; result: unknown }
  | { jsonrpc: '2.0'; id: RequestId; error: RpcErrorObject };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

export function errorResponse(id: RequestId, code: number, message: string, data?: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function validId(id: unknown): id is RequestId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** What is wrong with a request object's envelope, or null when it is well-formed. */
export function envelopeProblem(m: Record<string, unknown>): string | null {
  return m.jsonrpc !== '2.0' ? 'jsonrpc must be "2.0"'
    : typeof m.method !== 'string' ? 'method must be a string'
      : 'params' in m && (typeof m.params !== 'object' || m.params === null) ? 'params must be an array or an object'
        : 'id' in m && !validId(m.id) ? 'id must be a string, a number or null'
          : null;
}

/** The request, or the error response it earns. An invalid request always gets an answer. */
export function checkEnvelope(msg: unknown): { request: RpcRequest } | { response: RpcResponse } {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { response: errorResponse(null, INVALID_REQUEST, 'Invalid Request') };
  }
  const m = msg as Record<string, unknown>;
  const problem = envelopeProblem(m);
  if (problem) {
    const id = 'id' in m && validId(m.id) ? m.id : null;
    return { response: errorResponse(id, INVALID_REQUEST, 'Invalid Request', { reason: problem }) };
  }
  return { request: m as unknown as RpcRequest };
}
