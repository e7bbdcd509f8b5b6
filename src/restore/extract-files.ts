// Extracts the `files/` part of an archive into a directory through the unprivileged child
// (extract-child.ts), which becomes the target account first. The archive is streamed to the
// child's stdin from the daemon, so the child never needs to read the root-only spool.
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { AgentError } from '../errors/index.ts';
import type { SourceWarning } from '../core/index.ts';
import type { ArchiveSource } from '../archive/archive-source.ts';
import { RESTORE_WARNINGS } from './warnings.ts';
import { siblingModule } from '../core/sibling-module.ts';
import { EXTRACT_CORRUPT_EXIT } from './extract-exit.ts';

export interface ExtractFilesOptions {
  source: ArchiveSource;
  /** The directory the tree goes into; it must exist. */
  root: string;
  uid: number;
  gid: number;
  signal?: AbortSignal;
  warn(w: SourceWarning): void;
  /** The archive passed verification as gzip members of our writer's shape (decoded in parallel). */
  gzipMembers?: boolean;
  /** Content bytes written so far. */
  onProgress?(bytes: number): void;
}

export interface ExtractStats { files: number; directories: number; symlinks: number; hardlinks: number; bytes: number; skipped: number }

const CHILD_SCRIPT = siblingModule(import.meta.url, 'extract-child');
const STDERR_KEEP = 4096;
const MAX_WARNINGS = 1000;

export async function extractFiles(o: ExtractFilesOptions): Promise<ExtractStats> {
  if (process.getuid?.() === 0 && !(Number.isInteger(o.uid) && o.uid > 0)) {
    throw new AgentError('AGENT_E_INVALID', 'files are never restored as root: the target account needs a uid > 0', { data: { field: 'uid' } });
  }
  o.signal?.throwIfAborted();
  const cfg = JSON.stringify({ root: o.root, uid: o.uid, gid: o.gid, compression: o.source.compression, gzipMembers: o.gzipMembers === true });
  const child = spawn(process.execPath, [CHILD_SCRIPT, cfg], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  const onAbort = () => child.kill('SIGKILL');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
  let stats: ExtractStats | null = null;
  let carry = '';
  let warned = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    const lines = (carry + s).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      const msg = JSON.parse(line) as { t: string; code?: string; path?: string; message?: string } & ExtractStats;
      if (msg.t === 'w') {
        // A hostile archive can hold millions of refused entries; the job keeps the first ones.
        if (++warned <= MAX_WARNINGS) o.warn({ code: msg.code!, path: msg.path || undefined, message: msg.message! });
        else if (warned === MAX_WARNINGS + 1) o.warn({ code: RESTORE_WARNINGS.truncated, message: `more than ${MAX_WARNINGS} warnings; the rest are not listed` });
      }
      else if (msg.t === 'p') o.onProgress?.((msg as unknown as { bytes: number }).bytes);
      else if (msg.t === 'done') stats = { files: msg.files, directories: msg.directories, symlinks: msg.symlinks, hardlinks: msg.hardlinks, bytes: msg.bytes, skipped: msg.skipped };
    }
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  try {
    await pipeline(Readable.from(o.source.open()), child.stdin).catch((err: NodeJS.ErrnoException) => {
      // The child stops reading when it fails; its exit status says why.
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    });
    const code = await exited;
    o.signal?.throwIfAborted();
    if (code === EXTRACT_CORRUPT_EXIT) {
      throw new AgentError('AGENT_E_ARCHIVE_CORRUPT', `the archive cannot be extracted: ${stderr.trim().split('\n').pop() ?? ''}`);
    }
    if (code !== 0 || !stats) {
      throw new AgentError('AGENT_E_INTERNAL', `the file extractor failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`);
    }
    return stats;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

