import type net from 'node:net';
import type { Logger } from 'pino';
import { AgentError } from '../errors/index.ts';
import type { CallContext, SocketKind } from './call-context.ts';
import type { Dispatcher } from './dispatcher.ts';
import { LineSplitter } from './line-splitter.ts';
import { errorResponse, PARSE_ERROR, type RpcResponse } from './envelope.ts';

export interface ConnectionLimits {
  maxLineBytes: number;
  maxInFlight: number;
  /** Bytes of pushed events allowed to wait in the socket before further events are dropped. */
  maxEventBacklogBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
let nextId = 1;

/**
 * One client connection: frames, parses and dispatches requests, writes answers in completion
 * order, and pushes event notifications. A slow or abusive peer only ever costs its own buffers:
 * reading pauses while too many requests are unanswered or the peer does not read its answers.
 */
export class RpcConnection {
  readonly id = nextId++;
  readonly kind: SocketKind;
  readonly #socket: net.Socket;
  readonly #dispatcher: Dispatcher;
  readonly #limits: ConnectionLimits;
  readonly #log: Logger;
  readonly #splitter: LineSplitter;
  readonly #closers: (() => void)[] = [];
  #inFlight = 0;
  #requestSeq = 0;
  #droppedEvents = 0;
  #ended = false;
  #closed = false;

  constructor(socket: net.Socket, kind: SocketKind, dispatcher: Dispatcher, limits: ConnectionLimits, log: Logger) {
    this.#socket = socket;
    this.kind = kind;
    this.#dispatcher = dispatcher;
    this.#limits = limits;
    this.#log = log.child({ conn: this.id, socket: kind });
    this.#splitter = new LineSplitter(limits.maxLineBytes);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('end', () => {
      this.#ended = true;
      this.#maybeFinish();
    });
    socket.on('error', (err) => this.#log.debug({ err: err.message }, 'connection error'));
    socket.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#closers.push(fn);
  }

  /** Pushes a JSON-RPC notification. Never blocks: past the backlog limit events are counted and dropped. */
  push(method: string, params: unknown): void {
    if (this.#closed || this.#ended) return;
    if (this.#socket.writableLength > this.#limits.maxEventBacklogBytes) {
      this.#droppedEvents++;
      return;
    }
    this.#flushDropMarker();
    this.#socket.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Ends the connection once its unanswered requests are answered. */
  end(): void {
    this.#ended = true;
    this.#maybeFinish();
  }

  #flushDropMarker(): void {
    if (this.#droppedEvents === 0) return;
    const dropped = this.#droppedEvents;
    this.#droppedEvents = 0;
    this.#socket.write(JSON.stringify({ jsonrpc: '2.0', method: 'events.dropped', params: { count: dropped } }) + '\n');
  }

  #onData(chunk: Buffer): void {
    for (const line of this.#splitter.push(chunk)) this.#onLine(line);
    if (this.#splitter.overflowed) {
      const e = new AgentError('AGENT_E_LINE_TOO_LONG', `frame exceeds ${this.#limits.maxLineBytes} bytes; closing the connection`);
      this.#log.warn({ limit: this.#limits.maxLineBytes }, 'rpc frame too long, closing connection');
      this.#socket.removeAllListeners('data');
      this.#socket.pause();
      // Closed once the answer is flushed, or soon regardless: a peer that keeps sending or
      // never reads must not hold the connection open.
      const timer = setTimeout(() => this.#socket.destroy(), 2000).unref();
      this.#socket.end(JSON.stringify(errorResponse(null, e.rpcCode, e.message, e.toData())) + '\n', () => {
        clearTimeout(timer);
        this.#socket.destroy();
      });
      return;
    }
    this.#throttle();
  }

  #onLine(line: Buffer): void {
    const trimmed = line.length && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
    if (trimmed.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(utf8.decode(trimmed));
    } catch (err) {
      const reason = err instanceof TypeError ? 'invalid UTF-8' : 'invalid JSON';
      this.#send(errorResponse(null, PARSE_ERROR, 'Parse error', { reason }));
      return;
    }
    this.#inFlight++;
    const ctx: CallContext = {
      socket: this.kind,
      requestId: `${this.id}.${++this.#requestSeq}`,
      log: this.#log,
      connection: this,
    };
    this.#dispatcher.handle(message, ctx).then(
      (answer) => this.#send(answer),
      (err: unknown) => {
        this.#log.error({ err }, 'dispatch failed');
        this.#send(errorResponse(null, -32603, 'Internal error', { code: 'AGENT_E_INTERNAL', requestId: ctx.requestId }));
      },
    ).finally(() => {
      this.#inFlight--;
      this.#throttle();
      this.#maybeFinish();
    });
  }

  #send(answer: RpcResponse | RpcResponse[] | null): void {
    if (answer === null || this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#socket.write(JSON.stringify(answer) + '\n');
  }

  /** Stops reading while the peer has too much unanswered or unread; resumes when both clear. */
  #throttle(): void {
    if (this.#closed || this.#splitter.overflowed) return;
    const congested = this.#inFlight >= this.#limits.maxInFlight || this.#socket.writableNeedDrain;
    if (congested && !this.#socket.isPaused()) this.#socket.pause();
    else if (!congested && this.#socket.isPaused()) this.#socket.resume();
  }

  #onDrain(): void {
    this.#flushDropMarker();
    this.#throttle();
  }

  #maybeFinish(): void {
    if (this.#ended && this.#inFlight === 0 && !this.#closed && !this.#socket.destroyed) this.#socket.end();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#closers.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.#log.error({ err }, 'close hook failed');
      }
    }
  }
}
