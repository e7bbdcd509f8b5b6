// A raw newline-delimited client for the RPC tests and the RPC bench: it writes exactly the bytes
// it is given (malformed ones included) and hands back every line the server sends, so the
// tests see the wire as it is rather than what a well-behaved client library makes of it.
import net from 'node:net';

export class LineSocket {
  readonly socket: net.Socket;
  /** Resolves when the socket is fully closed (either side). */
  readonly closed: Promise<void>;
  #buffer = '';
  readonly #lines: string[] = [];
  #waiter: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  #ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => { /* surfaced as a close to whoever waits */ });
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#ended = true;
      this.#waiter?.reject(new Error('connection closed before a line arrived'));
      this.#waiter = null;
      resolve();
    }));
    socket.once('end', () => {
      this.#ended = true;
      this.#waiter?.reject(new Error('connection ended before a line arrived'));
      this.#waiter = null;
    });
  }

  static connect(socketPath: string, options: { allowHalfOpen?: boolean } = {}): Promise<LineSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ path: socketPath, allowHalfOpen: options.allowHalfOpen ?? true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new LineSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Lines received and not yet taken. */
  get pending(): number {
    return this.#lines.length;
  }

  get ended(): boolean {
    return this.#ended;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Writes one message as a line; a string is sent as given, anything else as JSON. */
  send(message: unknown): void {
    this.socket.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n');
  }

  /** The next line from the server; rejects after `timeoutMs` or when the connection ends first. */
  nextLine(timeoutMs = 30_000): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#ended) return Promise.reject(new Error('connection already ended'));
    if (this.#waiter) return Promise.reject(new Error('already waiting for a line'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new Error(`no line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (line) => { clearTimeout(timer); resolve(line); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      };
    });
  }

  async nextJson<T = Record<string, unknown>>(timeoutMs = 30_000): Promise<T> {
    return JSON.parse(await this.nextLine(timeoutMs)) as T;
  }

  /** One request line, its answer line. */
  async call<T = Record<string, unknown>>(message: unknown, timeoutMs = 30_000): Promise<T> {
    this.send(message);
    return this.nextJson<T>(timeoutMs);
  }

  /** Resolves with the next `n` lines once they have all arrived (cheaper than `n` nextLine calls). */
  takeLines(n: number, timeoutMs = 30_000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#lines.length >= n) {
          cleanup();
          resolve(this.#lines.splice(0, n));
        } else if (this.#ended) {
          cleanup();
          reject(new Error(`connection ended after ${this.#lines.length} of ${n} lines`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`only ${this.#lines.length} of ${n} lines within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.socket.off('data', check);
        this.socket.off('close', check);
      };
      // Registered after #onData, so each check sees the chunk's lines already split.
      this.socket.on('data', check);
      this.socket.on('close', check);
      check();
    });
  }

  /** Every line received and not yet taken (use after `closed` to collect a whole conversation). */
  takeAll(): string[] {
    return this.#lines.splice(0);
  }

  /** Shuts our sending side; the server may still answer. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w.resolve(line);
      } else {
        this.#lines.push(line);
      }
    }
  }
}
