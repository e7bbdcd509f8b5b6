// Reads an account's home directory through the unprivileged child (walk-child.ts) and streams
// its entries and content into a sink, checking every frame on the way (frame-parser.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { AgentError } from '../../errors/index.ts';
import type { SourceWarning } from '../../core/index.ts';
import { FrameParser, sourceError, isInt } from './frame-parser.ts';
import { siblingModule } from '../../core/sibling-module.ts';

export type IoniceClass = 'idle' | 'best-effort' | 'none';

export interface ReadHomeOptions {
  home: string;
  uid: number;
  gid: number;
  excludes?: readonly string[];
  /** nice level of the reader (0-19). */
  nice?: number;
  ioniceClass?: IoniceClass;
  signal?: AbortSignal;
}

/** One entry of the home tree; `path` is relative to the home, '' for the home itself. */
export interface HomeEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  uid: number;
  gid: number;
  /** For files: the exact number of content bytes that follow as `data` items. */
  size: number;
  /** Symlink target, or for hard links the relative path of the first copy. */
  linkTarget?: string;
}

/**
 * Receives the home tree in order. `data` chunks of a file follow its `entry`. A chunk is only
 * valid during the call, or until the promise the call returns settles (the read is paused
 * meanwhile): copy what must outlive it. Returning a promise is the backpressure signal.
 */
export interface HomeSink {
  entry(entry: HomeEntry): Promise<void> | undefined;
  data(chunk: Buffer): Promise<void> | undefined;
  /** A file's content is complete. */
  fileEnd(): Promise<void> | undefined;
  /**
   * The reader's sha256 of the bytes sent for the oldest file that ended without one yet.
   * Checksums follow the files' order but may arrive after later entries.
   */
  fileSum(sha256: string): void;
  warning(warning: SourceWarning): void;
}

const CHILD_SCRIPT = siblingModule(import.meta.url, 'walk-child');
const STDERR_KEEP = 4096;
const IONICE = ['/usr/bin/ionice', '/bin/ionice'].find((p) => fs.existsSync(p));

function spawnReader(opts: ReadHomeOptions): ChildProcess {
  const cfg = JSON.stringify({ home: opts.home, uid: opts.uid, gid: opts.gid, excludes: opts.excludes ?? [], nice: opts.nice });
  const node = [process.execPath, CHILD_SCRIPT, cfg];
  const ionice = opts.ioniceClass && opts.ioniceClass !== 'none' && IONICE
    ? [IONICE, '-c', opts.ioniceClass === 'idle' ? '3' : '2', ...(opts.ioniceClass === 'idle' ? [] : ['-n', '7'])]
    : [];
  const argv = [...ionice, ...node];
  return spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
}

const READ_BUFFER = 1 << 20;

/**
 * Streams the home tree into `sink`; resolves once the child finished cleanly and every frame
 * was delivered. The child's output is read into one reused buffer (net.Socket `onread`), so a
 * gigabyte of files does not become a gigabyte of short-lived Buffers for the GC.
 */
export async function readHome(opts: ReadHomeOptions, sink: HomeSink): Promise<void> {
  if (process.getuid?.() === 0 && !(isInt(opts.uid, 1) && isInt(opts.gid))) {
    throw new AgentError('AGENT_E_INVALID', 'an account home is never read as root: uid must be a positive integer', { data: { field: 'uid' } });
  }
  opts.signal?.throwIfAborted();
  const child = spawnReader(opts);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
  const parser = new FrameParser(sink);
  const stdout = child.stdout!;
  const handle = (stdout as unknown as { _handle?: unknown })._handle;
  let failure: unknown = null;
  let socket: net.Socket | null = null;

  const streamDone = new Promise<void>((resolve) => {
    const fail = (err: unknown): void => {
      failure ??= err;
      child.kill('SIGKILL');
      resolve();
    };
    const onChunk = (buf: Buffer, pause: () => void, resume: () => void): boolean => {
      if (failure) return false;
      try {
        const wait = parser.feed(buf);
        if (!wait) return true;
        pause();
        wait.then(resume, fail);
        return false;
      } catch (err) {
        fail(err);
        return false;
      }
    };
    if (handle) {
      // Take over the pipe from child.stdout (which never starts reading) to read into our buffer.
      const s = new net.Socket({
        handle, readable: true, writable: false,
        onread: { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: (n: number, buf: Buffer) => onChunk(buf.subarray(0, n), () => s.pause(), () => s.resume()) },
      } as unknown as net.SocketConstructorOpts);
      socket = s;
      s.on('error', fail);
      s.on('close', () => resolve());
    } else {
      stdout.on('data', (buf: Buffer) => onChunk(buf, () => stdout.pause(), () => stdout.resume()));
      stdout.on('error', fail);
      stdout.on('close', () => resolve());
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const onAbort = (): void => { child.kill('SIGKILL'); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await exited;
    await streamDone;
    opts.signal?.throwIfAborted();
    if (failure) throw failure;
    if (result.error) throw sourceError(`the file reader could not be started: ${result.error.message}`, result.error);
    if (result.code !== 0 || !parser.complete) {
      const why = stderr.trim() || (result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`);
      throw sourceError(`reading the home directory failed: ${why}`);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    (socket as net.Socket | null)?.destroy();
  }
}
