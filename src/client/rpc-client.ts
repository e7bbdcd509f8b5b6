import net from 'node:net';
import { JSONRPCClient, JSONRPCErrorException, type JSONRPCResponse } from 'json-rpc-2.0';

export interface RpcErrorInfo {
  code: number;
  message: string;
  data?: { code?: string; [k: string]: unknown };
}

/** A JSON-RPC error answer, with the AGENT_E_* code lifted out of `data`. */
export class RpcCallError extends Error {
  readonly rpcCode: number;
  readonly agentCode: string | null;
  readonly data: RpcErrorInfo['data'];
  constructor(info: RpcErrorInfo) {
    super(info.message);
    this.name = 'RpcCallError';
    this.rpcCode = info.code;
    this.data = info.data;
    this.agentCode = typeof info.data?.code === 'string' ? info.data.code : null;
  }
}

/** The daemon could not be reached at all (agentctl exits 69 for it). */
export class RpcUnavailableError extends Error {
  override name = 'RpcUnavailableError';
}

export type NotificationListener = (method: string, params: unknown) => void;

/** A client for one daemon socket: newline-delimited JSON-RPC 2.0, with server-pushed events. */
export class RpcClient {
  readonly #socket: net.Socket;
  readonly #client: JSONRPCClient;
  readonly #listeners = new Set<NotificationListener>();
  #buffer = '';
  #closed: Error | null = null;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#client = new JSONRPCClient((payload) => {
      if (this.#closed) throw this.#closed;
      socket.write(JSON.stringify(payload) + '\n');
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('close', () => {
      this.#closed ??= new RpcUnavailableError('connection closed by the daemon');
      this.#client.rejectAllPendingRequests(this.#closed.message);
    });
    socket.on('error', (err) => {
      this.#closed = new RpcUnavailableError(err.message);
    });
  }

  static connect(socketPath: string, timeoutMs = 5000): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RpcUnavailableError(`timed out connecting to ${socketPath}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RpcClient(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new RpcUnavailableError(`cannot connect to ${socketPath}: ${err.code ?? err.message}`));
      });
    });
  }

  onNotification(fn: NotificationListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async call<R = unknown>(method: string, params?: Record<string, unknown>): Promise<R> {
    try {
      return (await this.#client.request(method, params ?? {})) as R;
    } catch (err) {
      if (err instanceof JSONRPCErrorException) throw new RpcCallError({ code: err.code, message: err.message, data: err.data as RpcErrorInfo['data'] });
      if (this.#closed) throw this.#closed;
      throw err;
    }
  }

  close(): void {
    this.#socket.end();
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof msg.method === 'string' && !('id' in msg)) {
        for (const fn of this.#listeners) fn(msg.method, msg.params);
      } else {
        this.#client.receive(msg as unknown as JSONRPCResponse);
      }
    }
  }
}
