// Reads an account's home directory through a child acting as the account (walk-child.ts, on the
// account-child layer) and streams its entries and content into a sink, checking every frame on
// the way (frame-parser.ts).
import { AgentError } from '../../errors/index.ts';
import type { SourceWarning } from '../../core/index.ts';
import { FrameParser, sourceError, isInt } from './frame-parser.ts';
import { siblingModule } from '../../core/sibling-module.ts';
import { decideFor, startAccountChild, type ChildPriority } from '../common/index.ts';
import { WALK_CHUNK } from './frame.ts';
import type { WalkRequest } from './walk-child.ts';

export type IoniceClass = ChildPriority['ioniceClass'];

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

const TASK = siblingModule(import.meta.url, 'walk-child');
/** A home walk that has not finished within a day is stuck, not slow. */
const TIMEOUT_MS = 24 * 60 * 60 * 1000;
/**
 * The walk sends the home's content, so its bound is far above any home a node holds: it gives
 * the stream a defined end, and the archive's own limits apply on top.
 */
const MAX_OUTPUT_BYTES = 64 * 1024 ** 4;

/**
 * Streams the home tree into `sink`; resolves once the child finished cleanly and every frame
 * was delivered. The child runs on the account-child layer (account-child.ts): the walk's own
 * frames (frame.ts) travel as the bodies of the layer's `b` frames and are checked again here.
 */
export async function readHome(opts: ReadHomeOptions, sink: HomeSink): Promise<void> {
  if (process.getuid?.() === 0 && !(isInt(opts.uid, 1) && isInt(opts.gid))) {
    throw new AgentError('AGENT_E_INVALID', 'an account home is never read as root: uid must be a positive integer', { data: { field: 'uid' } });
  }
  opts.signal?.throwIfAborted();
  const as = { uid: opts.uid, gid: opts.gid };
  let request: WalkRequest;
  try {
    const d = decideFor(opts.home, as);
    request = { anchor: d.anchor, rest: d.rest, excludes: [...(opts.excludes ?? [])] };
  } catch (err) {
    throw sourceError(`reading the home directory failed: ${(err as Error).message}`, err);
  }
  const priority: ChildPriority | undefined = opts.nice !== undefined || opts.ioniceClass !== undefined
    ? { nice: opts.nice ?? 0, ioniceClass: opts.ioniceClass ?? 'none' }
    : undefined;
  const child = startAccountChild({ module: TASK, request, as, priority, signal: opts.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES });
  const parser = new FrameParser(sink);
  try {
    for await (const f of child.frames()) {
      if (f.t !== WALK_CHUNK || f.n === undefined) throw sourceError('reading the home directory failed: the walker sent an unexpected frame');
      await child.reader.body((chunk) => parser.feed(chunk));
    }
    if (!parser.complete) throw sourceError('reading the home directory failed: the walker ended before its last entry');
  } catch (err) {
    opts.signal?.throwIfAborted();
    if (err instanceof AgentError) throw err;
    throw sourceError(`reading the home directory failed: ${(err as Error).message}`, err);
  } finally {
    await child.close();
  }
}
