import type net from 'node:net';
import type { Logger } from 'pino';
import { AgentError } from '../errors/index.ts';
import type { CallContext, SocketKind } from './call-context.ts';
import type { Answer, Dispatcher } from './dispatcher.ts';
import { LineSplitter, type Frame } from './line-splitter.ts';
import { errorResponse, INTERNAL_ERROR, PARSE_ERROR } from './envelope.ts';
import { boundedAnswerJson } from './answer-bound.ts';

export interface ConnectionLimits {
  maxLineBytes: number;
  /** Requests unanswered (batch elements counted one by one) before reading pauses. */
  maxInFlight: number;
  maxBatch: number;
  maxAnswerBytes: number;
  /** Bytes of pushed events allowed to wait in the socket before further events are dropped. */
  maxEventBacklogBytes: number;
  idleTimeoutMs: number;
  slowReaderTimeoutMs: number;
  frameTimeoutMs: number;
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

/** The error line a connection is closed with. */
function closingLine(e: AgentError): string {
  return JSON.stringify(errorResponse(null, e.rpcCode, e.message, e.toData()));
}

/**
 * One client connection: frames, parses and dispatches requests, writes answers in completion
 * order, and pushes event notifications. A slow or abusive peer only ever costs its own buffers:
 * reading pauses while too many requests are unanswered or the peer does not read its answers,
 * and timeouts close a peer that is idle, never reads, or never finishes a frame. A fault in this
 * connection's work closes this connection only.
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
  /** Event subscriptions and the like that keep an otherwise quiet connection open. */
  #holds = 0;
  #requestSeq = 0;
  #droppedEvents = 0;
  /** Complete frames read but not handled yet; reading pauses while there are any. */
  #backlog: Frame[] = [];
  #backlogAt = 0;
  #workScheduled = false;
  /** Lines produced in this turn of the event loop, sent together in one write on the next tick. */
  #outbox = '';
  #ended = false;
  #closing = false;
  #closed = false;
  readonly #idleTimer: NodeJS.Timeout;
  #frameTimer: NodeJS.Timeout | null = null;
  #slowReaderTimer: NodeJS.Timeout | null = null;

  constructor(socket: net.Socket, kind: SocketKind, dispatcher: Dispatcher, limits: ConnectionLimits, log: Logger) {
    this.#socket = socket;
    this.kind = kind;
    this.#dispatcher = dispatcher;
    this.#limits = limits;
    this.#log = log.child({ conn: this.id, socket: kind });
    this.#splitter = new LineSplitter(limits.maxLineBytes);
    this.#idleTimer = setTimeout(() => this.#onIdle(), limits.idleTimeoutMs).unref();
    socket.on('data', (chunk: Buffer) => this.#guarded(() => this.#onData(chunk)));
    socket.on('drain', () => this.#guarded(() => this.#onDrain()));
    socket.on('end', () => this.#guarded(() => {
      // A last frame without its newline still counts once the peer is done sending.
      const last = this.#splitter.finish();
      this.#clearFrameTimer();
      if (last !== undefined) this.#backlog.push(last);
      this.#ended = true;
      this.#work();
    }));
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

  /** Keeps the connection from being closed as idle until the returned release is called (once). */
  holdOpen(): () => void {
    this.#holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds--;
      this.#idleTimer.refresh();
    };
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

  /** Runs one piece of this connection's work; an unexpected fault closes the connection, nothing more. */
  #guarded(work: () => void, requestId?: string): void {
    try {
      work();
    } catch (err) {
      this.#fault(err, requestId);
    }
  }

  #fault(err: unknown, requestId = `${this.id}.-`): void {
    this.#log.error({ err, requestId }, 'connection fault; closing the connection');
    const answer = errorResponse(null, INTERNAL_ERROR, 'Internal error', { code: 'AGENT_E_INTERNAL', requestId });
    this.#closeWith(JSON.stringify(answer));
  }

  /**
   * Stops reading, sends what is queued and then `line`, and closes: once that is flushed, or
   * soon regardless, since a peer that keeps sending or never reads must not hold it open.
   */
  #closeWith(line: string): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#backlog = [];
    this.#backlogAt = 0;
    this.#clearFrameTimer();
    this.#socket.removeAllListeners('data');
    this.#socket.pause();
    try {
      this.#flush();
    } catch {
      this.#outbox = '';
    }
    if (this.#socket.destroyed) return;
    const timer = setTimeout(() => this.#socket.destroy(), 2000).unref();
    this.#socket.end(line + '\n', () => {
      clearTimeout(timer);
      this.#socket.destroy();
    });
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    this.#idleTimer.refresh();
    const lines = this.#splitter.push(chunk);
    if (this.#splitter.overflowed) {
      this.#log.warn({ limit: this.#limits.maxLineBytes }, 'rpc frame too long, closing connection');
      this.#closeWith(closingLine(new AgentError('AGENT_E_LINE_TOO_LONG', `frame exceeds ${this.#limits.maxLineBytes} bytes; closing the connection`)));
      return;
    }
    if (lines.length) this.#clearFrameTimer();
    if (this.#splitter.partial && this.#frameTimer === null) {
      this.#frameTimer = setTimeout(() => this.#guarded(() => this.#onFrameTimeout()), this.#limits.frameTimeoutMs).unref();
    }
    for (const line of lines) this.#backlog.push(line);
    this.#work();
  }

  /** A frame begun and never finished (slowloris); only counted while the daemon is reading. */
  #onFrameTimeout(): void {
    if (this.#closing || this.#closed) return;
    if (this.#socket.isPaused()) {
      this.#frameTimer?.refresh();
      return;
    }
    this.#frameTimer = null;
    const limit = this.#limits.frameTimeoutMs;
    this.#log.warn({ limitMs: limit }, 'rpc frame not finished in time, closing connection');
    this.#closeWith(closingLine(new AgentError('AGENT_E_FRAME_TIMEOUT', `a frame was not finished within ${limit} ms; closing the connection`, { data: { limitMs: limit } })));
  }

  #clearFrameTimer(): void {
    if (this.#frameTimer === null) return;
    clearTimeout(this.#frameTimer);
    this.#frameTimer = null;
  }

  /** Nothing received, nothing to answer, nothing unread and no subscription: the slot is freed. */
  #onIdle(): void {
    if (this.#closing || this.#closed) return;
    const busy = this.#holds > 0 || this.#inFlight > 0 || this.#backlogged || this.#outbox !== '' || this.#socket.writableLength > 0;
    if (busy) {
      this.#idleTimer.refresh();
      return;
    }
    this.#log.debug({ limitMs: this.#limits.idleTimeoutMs }, 'idle connection closed');
    this.#closing = true;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  /** The peer does not read its answers: past the slow-reader timeout the connection goes. */
  #watchReader(): void {
    if (!this.#socket.writableNeedDrain) {
      this.#clearSlowReaderTimer();
    } else if (this.#slowReaderTimer === null) {
      this.#slowReaderTimer = setTimeout(() => {
        this.#log.warn({ limitMs: this.#limits.slowReaderTimeoutMs, unreadBytes: this.#socket.writableLength }, 'client does not read its answers, closing connection');
        this.#socket.destroy();
      }, this.#limits.slowReaderTimeoutMs).unref();
    }
  }

  #clearSlowReaderTimer(): void {
    if (this.#slowReaderTimer === null) return;
    clearTimeout(this.#slowReaderTimer);
    this.#slowReaderTimer = null;
  }

  get #backlogged(): boolean {
    return this.#backlogAt < this.#backlog.length;
  }

  /** Answers already waiting for the peer to read them: no more frames are handled meanwhile. */
  get #outputFull(): boolean {
    return this.#socket.writableNeedDrain || this.#outbox.length >= this.#socket.writableHighWaterMark;
  }

  /**
   * Handles queued frames within the in-flight limit and a per-turn budget, so one connection
   * pipelining thousands of frames cannot starve the others.
   */
  #work(): void {
    let budget = LINES_PER_TURN;
    while (this.#backlogged && budget > 0 && this.#inFlight < this.#limits.maxInFlight && !this.#outputFull && !this.#closing && !this.#closed) {
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
    const ctx = new RequestContext(this, this.#log, ++this.#requestSeq);
    this.#guarded(() => this.#handleLine(line, ctx), ctx.requestId);
  }

  #handleLine(line: Frame, ctx: RequestContext): void {
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
    if (Array.isArray(message) && message.length > this.#limits.maxBatch) {
      const limit = this.#limits.maxBatch;
      const e = new AgentError('AGENT_E_BATCH_TOO_LONG', `a batch holds at most ${limit} requests; this one holds ${message.length} and none of them ran`, { data: { limit } });
      this.#send(errorResponse(null, e.rpcCode, e.message, e.toData()));
      return;
    }
    const answer = this.#dispatcher.handle(message, ctx);
    // Answered on the spot: nothing in flight, nothing to wait for.
    if (!(answer instanceof Promise)) {
      this.#send(answer);
      return;
    }
    // A batch weighs as many requests as it holds.
    const weight = Array.isArray(message) ? message.length : 1;
    this.#inFlight += weight;
    answer.then(
      (a) => this.#guarded(() => this.#send(a), ctx.requestId),
      (err: unknown) => this.#fault(err, ctx.requestId),
    ).finally(() => {
      this.#inFlight -= weight;
      if (this.#backlogged) {
        this.#scheduleWork();
      } else {
        this.#throttle();
        this.#maybeFinish();
      }
    });
  }

  #send(answer: Answer): void {
    if (answer === null || this.#closing || this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#queue(boundedAnswerJson(answer, this.#limits.maxAnswerBytes));
  }

  // One write per turn instead of one per answer: a pipelining client's answers share a syscall.
  #queue(line: string): void {
    if (this.#outbox === '') process.nextTick(() => this.#guarded(() => this.#flush()));
    this.#outbox += line + '\n';
  }

  #flush(): void {
    const out = this.#outbox;
    this.#outbox = '';
    if (out === '' || this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#socket.write(out);
    this.#idleTimer.refresh();
    this.#watchReader();
    this.#throttle();
    // Frames held back while the output was full go on once it is not.
    if (this.#backlogged && !this.#outputFull) this.#scheduleWork();
  }

  /** Stops reading while the peer has too much unanswered or unread; resumes when both clear. */
  #throttle(): void {
    if (this.#closing || this.#closed) return;
    const congested = this.#backlogged || this.#inFlight >= this.#limits.maxInFlight || this.#socket.writableNeedDrain;
    if (congested && !this.#socket.isPaused()) this.#socket.pause();
    else if (!congested && this.#socket.isPaused()) this.#socket.resume();
  }

  #onDrain(): void {
    this.#clearSlowReaderTimer();
    this.#flushDropMarker();
    this.#throttle();
    if (this.#backlogged) this.#scheduleWork();
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
    clearTimeout(this.#idleTimer);
    this.#clearFrameTimer();
    this.#clearSlowReaderTimer();
    for (const fn of this.#closers.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.#log.error({ err }, 'close hook failed');
      }
    }
  }
}
