import type net from 'node:net';
import type { Logger } from 'pino';
import { AgentError } from '../errors/index.ts';
import type { CallContext, SocketKind } from './call-context.ts';
import type { Answer, Dispatcher } from './dispatcher.ts';
import { LineSplitter, type Frame } from './line-splitter.ts';
import { errorResponse, PARSE_ERROR } from './envelope.ts';
import { answerJson } from './answer-json.ts';

export interface ConnectionLimits {
  maxLineBytes: number;
  maxInFlight: number;
  /** Bytes of pushed events allowed to wait in the socket before further events are dropped. */
  maxEventBacklogBytes: number;
}

/** Frames one connection may have handled per turn of the event loop before other connections get theirs. */
const LINES_PER_TURN = 64;
const NO_LINE: Frame = '';
let nextId = 1;

/**
 * The JSON of a frame: without a trailing CR (CRLF line ends) and, as a UTF-8 decoder would have
 * it, without a leading byte order mark.
 */
function jsonText(line: string): string {
  const end = line.charCodeAt(line.length - 1) === 13 ? line.length - 1 : line.length;
  const start = line.charCodeAt(0) === 0xfeff ? 1 : 0;
  return start === 0 && end === line.length ? line : line.slice(start, end);
}

/** What a handler learns about its call; the request id is only spelled out when something uses it. */
class RequestContext implements CallContext {
  readonly socket: SocketKind;
  readonly log: Logger;
  readonly connection: RpcConnection;
  readonly #seq: number;

  constructor(connection: RpcConnection, log: Logger, seq: number) {
    this.socket = connection.kind;
    this.log = log;
    this.connection = connection;
    this.#seq = seq;
  }

  get requestId(): string {
    return `${this.connection.id}.${this.#seq}`;
  }
}

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
  /** Complete frames read but not handled yet; reading pauses while there are any. */
  #backlog: Frame[] = [];
  #backlogAt = 0;
  #workScheduled = false;
  /** Lines produced in this turn of the event loop, sent together in one write on the next tick. */
  #outbox = '';
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
      // A last frame without its newline still counts once the peer is done sending.
      const last = this.#splitter.finish();
      if (last !== undefined) this.#backlog.push(last);
      this.#ended = true;
      this.#work();
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
    if (this.#socket.writableLength + this.#outbox.length > this.#limits.maxEventBacklogBytes) {
      this.#droppedEvents++;
      return;
    }
    this.#flushDropMarker();
    this.#queue(JSON.stringify({ jsonrpc: '2.0', method, params }));
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
    this.#queue(JSON.stringify({ jsonrpc: '2.0', method: 'events.dropped', params: { count: dropped } }));
  }

  #onData(chunk: Buffer): void {
    const lines = this.#splitter.push(chunk);
    if (this.#splitter.overflowed) {
      this.#backlog = [];
      this.#backlogAt = 0;
      const e = new AgentError('AGENT_E_LINE_TOO_LONG', `frame exceeds ${this.#limits.maxLineBytes} bytes; closing the connection`);
      this.#log.warn({ limit: this.#limits.maxLineBytes }, 'rpc frame too long, closing connection');
      this.#socket.removeAllListeners('data');
      this.#socket.pause();
      this.#flush();
      // Closed once the answer is flushed, or soon regardless: a peer that keeps sending or
      // never reads must not hold the connection open.
      const timer = setTimeout(() => this.#socket.destroy(), 2000).unref();
      this.#socket.end(JSON.stringify(errorResponse(null, e.rpcCode, e.message, e.toData())) + '\n', () => {
        clearTimeout(timer);
        this.#socket.destroy();
      });
      return;
    }
    for (const line of lines) this.#backlog.push(line);
    this.#work();
  }

  get #backlogged(): boolean {
    return this.#backlogAt < this.#backlog.length;
  }

  /**
   * Handles queued frames within the in-flight limit and a per-turn budget, so one connection
   * pipelining thousands of frames cannot starve the others.
   */
  #work(): void {
    let budget = LINES_PER_TURN;
    while (this.#backlogged && budget > 0 && this.#inFlight < this.#limits.maxInFlight && !this.#closed) {
      const line = this.#backlog[this.#backlogAt] as Frame;
      this.#backlog[this.#backlogAt++] = NO_LINE;
      this.#onLine(line);
      budget--;
    }
    if (!this.#backlogged) {
      this.#backlog = [];
      this.#backlogAt = 0;
    } else if (budget === 0) {
      this.#scheduleWork();
    }
    this.#throttle();
    this.#maybeFinish();
  }

  /** More frames on the next turn, after other connections had theirs; at most one turn queued. */
  #scheduleWork(): void {
    if (this.#workScheduled || this.#closed) return;
    this.#workScheduled = true;
    setImmediate(() => {
      this.#workScheduled = false;
      this.#work();
    });
  }

  #onLine(line: Frame): void {
    let message: unknown;
    if (line === null) {
      this.#send(errorResponse(null, PARSE_ERROR, 'Parse error', { reason: 'invalid UTF-8' }));
      return;
    }
    if (line.length === 0 || (line.length === 1 && line.charCodeAt(0) === 13)) return;
    try {
      message = JSON.parse(jsonText(line));
    } catch {
      this.#send(errorResponse(null, PARSE_ERROR, 'Parse error', { reason: 'invalid JSON' }));
      return;
    }
    const ctx = new RequestContext(this, this.#log, ++this.#requestSeq);
    let answer: Answer | Promise<Answer>;
    try {
      answer = this.#dispatcher.handle(message, ctx);
    } catch (err) {
      answer = Promise.reject(err);
    }
    // Answered on the spot: nothing in flight, nothing to wait for.
    if (!(answer instanceof Promise)) {
      this.#send(answer);
      return;
    }
    this.#inFlight++;
    answer.then(
      (a) => this.#send(a),
      (err: unknown) => {
        this.#log.error({ err }, 'dispatch failed');
        this.#send(errorResponse(null, -32603, 'Internal error', { code: 'AGENT_E_INTERNAL', requestId: ctx.requestId }));
      },
    ).finally(() => {
      this.#inFlight--;
      if (this.#backlogged) {
        this.#scheduleWork();
      } else {
        this.#throttle();
        this.#maybeFinish();
      }
    });
  }

  #send(answer: Answer): void {
    if (answer === null || this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#queue(answerJson(answer));
  }

  // One write per turn instead of one per answer: a pipelining client's answers share a syscall.
  #queue(line: string): void {
    if (this.#outbox === '') process.nextTick(() => this.#flush());
    this.#outbox += line + '\n';
  }

  #flush(): void {
    const out = this.#outbox;
    this.#outbox = '';
    if (out === '' || this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#socket.write(out);
    this.#throttle();
  }

  /** Stops reading while the peer has too much unanswered or unread; resumes when both clear. */
  #throttle(): void {
    if (this.#closed || this.#splitter.overflowed) return;
    const congested = this.#backlogged || this.#inFlight >= this.#limits.maxInFlight || this.#socket.writableNeedDrain;
    if (congested && !this.#socket.isPaused()) this.#socket.pause();
    else if (!congested && this.#socket.isPaused()) this.#socket.resume();
  }

  #onDrain(): void {
    this.#flushDropMarker();
    this.#throttle();
  }

  #maybeFinish(): void {
    if (this.#ended && this.#inFlight === 0 && !this.#backlogged && !this.#closed && !this.#socket.destroyed) {
      this.#flush();
      this.#socket.end();
    }
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
