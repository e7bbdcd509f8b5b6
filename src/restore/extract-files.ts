// Extracts the `files/` part of an archive into a directory through a child acting as the
// target account (account-child.ts, extract-child.ts). The archive is streamed to the child's
// stdin from the daemon, so the child never needs to read the root-only spool. Its frames are
// checked like any untrusted input.
import { startAccountChild, AccountChildFailure, type ChildPriority } from '../sources/common/index.ts';
import { EXTRACT_CORRUPT } from './extract-exit.ts';
import type { ExtractRequest } from './extract-child.ts';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { AgentError } from '../errors/index.ts';
import type { SourceWarning } from '../core/index.ts';
import type { ArchiveSource } from '../archive/archive-source.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { siblingModule } from '../core/sibling-module.ts';

export interface ExtractFilesOptions {
  source: ArchiveSource;
  /** The directory the tree goes into; it must exist. */
  root: string;
  uid: number;
  gid: number;
  /** The job's nice/ionice. */
  priority?: ChildPriority;
  signal?: AbortSignal;
  warn(w: SourceWarning): void;
  /** The archive passed verification as gzip members of our writer's shape (decoded in parallel). */
  gzipMembers?: boolean;
  /** Content bytes written so far. */
  onProgress?(bytes: number): void;
}

export interface ExtractStats { files: number; directories: number; symlinks: number; hardlinks: number; bytes: number; skipped: number }

const CHILD_SCRIPT = siblingModule(import.meta.url, 'extract-child');
const TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Bound on the extractor's frames: warnings for millions of refused entries, at most. */
const MAX_OUTPUT = 512 * 1024 * 1024;
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const text = (v: unknown): v is string => typeof v === 'string' && v.length <= 4096;
const MAX_WARNINGS = 1000;

export async function extractFiles(o: ExtractFilesOptions): Promise<ExtractStats> {
  if (process.getuid?.() === 0 && !(Number.isInteger(o.uid) && o.uid > 0)) {
    throw new AgentError('AGENT_E_INVALID', 'files are never restored as root: the target account needs a uid > 0', { data: { field: 'uid' } });
  }
  o.signal?.throwIfAborted();
  const request: ExtractRequest = { root: o.root, compression: o.source.compression, gzipMembers: o.gzipMembers === true };
  const child = startAccountChild({ module: CHILD_SCRIPT, request, as: { uid: o.uid, gid: o.gid }, priority: o.priority, signal: o.signal, timeoutMs: TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT, input: 'stream' });
  const feeding = pipeline(Readable.from(o.source.open()), child.input!).catch((err: NodeJS.ErrnoException) => {
    // The child stops reading when it fails; its frames say why.
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
  let stats: ExtractStats | null = null;
  let warned = 0;
  try {
    try {
      for await (const f of child.frames()) {
        if (f.t === 'w' && text(f.code) && text(f.path) && text(f.message)) {
          // A hostile archive can hold millions of refused entries; the job keeps the first ones.
          if (++warned <= MAX_WARNINGS) o.warn({ code: f.code, path: f.path || undefined, message: f.message });
          else if (warned === MAX_WARNINGS + 1) o.warn({ code: RESTORE_WARNINGS.truncated, message: `more than ${MAX_WARNINGS} warnings; the rest are not listed` });
        } else if (f.t === 'p' && count(f.bytes)) o.onProgress?.(f.bytes);
        else if (f.t === 'done' && !stats && count(f.files) && count(f.directories) && count(f.symlinks) && count(f.hardlinks) && count(f.bytes) && count(f.skipped)) {
          stats = { files: f.files, directories: f.directories, symlinks: f.symlinks, hardlinks: f.hardlinks, bytes: f.bytes, skipped: f.skipped };
        } else throw new Error(`unexpected frame "${f.t.slice(0, 20)}"`);
      }
      await feeding;
    } catch (err) {
      o.signal?.throwIfAborted();
      if (err instanceof AccountChildFailure && err.code === EXTRACT_CORRUPT) {
        throw new AgentError('AGENT_E_ARCHIVE_CORRUPT', `the archive cannot be extracted: ${err.message}`, { cause: err });
      }
      throw new AgentError('AGENT_E_INTERNAL', `the file extractor failed: ${(err as Error).message}`, { cause: err });
    }
    if (!stats) throw new AgentError('AGENT_E_INTERNAL', 'the file extractor sent no result');
    return stats;
  } finally {
    await child.close();
    await feeding.catch(() => {});
  }
}

