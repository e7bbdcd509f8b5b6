// The account_full archive writer: one entry point that lays out manifest.json, files/...,
// the other sources' parts, warnings.json and SHA256SUMS (DESIGN.md section 3) into one
// compressed tar stream, optionally split, written under .partial names and renamed only
// when complete (or handed to another sink, which may stream it elsewhere as it is made).
import path from 'node:path';
import { AgentError, toAgentError } from '../errors/index.ts';
import type { ArchiveEntry, SourceWarning } from '../core/index.ts';
import { readHome, isSafeRelativePath, type IoniceClass } from '../sources/files/index.ts';
import { makeCodec, type Compression } from './codec.ts';
import { PartSink } from './part-sink.ts';
import type { ArchiveSink } from './archive-sink.ts';
import { ChunkPipeline } from './chunk-pipeline.ts';
import { TarAssembler } from './tar-assembler.ts';

export interface HomeSource {
  home: string;
  uid: number;
  gid: number;
  excludes: string[];
  nice?: number;
  ioniceClass?: IoniceClass;
}

export interface ArchiveProgress {
  phase: 'manifest' | 'files' | 'entries' | 'finishing';
  /** Uncompressed tar bytes produced so far. */
  bytesDone: number;
  /** Compressed bytes written so far. */
  bytesWritten: number;
}

export interface WriteArchiveOptions {
  /** Final path; parts get `.part001`... appended. */
  outPath: string;
  compression: Compression;
  /** Compression level of compressible chunks; the codec's defaults otherwise (codec.ts). */
  level?: number;
  /** Bytes per part. */
  splitSize?: number;
  /** Where the compressed bytes go instead of a PartSink on outPath and splitSize. */
  sink?: ArchiveSink;
  /** Written first, as given, plus `warningsFile`. */
  manifest: Record<string, unknown>;
  files?: HomeSource;
  /** databases/..., mail/..., dns/... in that order. */
  entries?: AsyncIterable<ArchiveEntry>;
  /**
   * Warnings of the sources behind `entries`, which they may append to while being consumed;
   * they go into warnings.json and the result after the home directory's own.
   */
  sourceWarnings?: SourceWarning[];
  signal?: AbortSignal;
  onProgress?: (p: ArchiveProgress) => void;
}

export interface WriteArchiveResult {
  sha256: string;
  bytes: number;
  /** Regular files of the home directory, hard links included: the count backup.estimate and snapshot.verify report too. */
  files: number;
  /** The archive file, or its parts in order (not on disk when a given sink kept no local copy). */
  paths: string[];
  warnings: SourceWarning[];
}

export const WARNINGS_FILE = 'warnings.json';
const ENTRY_ORDER = ['databases', 'mail', 'dns'] as const;
const PROGRESS_STEP = 1 << 20;

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

export async function writeAccountArchive(opts: WriteArchiveOptions): Promise<WriteArchiveResult> {
  if (!path.isAbsolute(opts.outPath)) throw new AgentError('AGENT_E_INVALID', 'outPath must be absolute', { data: { field: 'outPath' } });
  if (opts.compression !== 'gzip' && opts.compression !== 'zstd') {
    throw new AgentError('AGENT_E_INVALID', 'compression must be "gzip" or "zstd"', { data: { field: 'compression' } });
  }
  opts.signal?.throwIfAborted();
  const sink = opts.sink ?? new PartSink(opts.outPath, opts.splitSize);
  const pipe = new ChunkPipeline(makeCodec(opts.compression, opts.level), sink);
  const tar = new TarAssembler(pipe);
  const warnings: SourceWarning[] = [];
  const now = Math.floor(Date.now() / 1000);
  let files = 0;
  let phase: ArchiveProgress['phase'] = 'manifest';
  let reported = 0;
  const progress = (): void => {
    if (opts.onProgress && pipe.bytesIn - reported >= PROGRESS_STEP) {
      reported = pipe.bytesIn;
      opts.onProgress({ phase, bytesDone: pipe.bytesIn, bytesWritten: sink.bytes });
    }
  };
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw new AgentError('AGENT_E_CANCELLED', 'the archive was cancelled');
  };

  try {
    await tar.addBuffer('manifest.json', json({ ...opts.manifest, warningsFile: WARNINGS_FILE }), now);

    if (opts.files) {
      phase = 'files';
      const f = opts.files;
      let sinceCheck = 0;
      await readHome({ home: f.home, uid: f.uid, gid: f.gid, excludes: f.excludes, nice: f.nice, ioniceClass: f.ioniceClass, signal: opts.signal }, {
        entry(e) {
          if (e.type === 'file' || e.type === 'hardlink') files++;
          return tar.begin({
            path: e.path === '' ? 'files' : `files/${e.path}`,
            type: e.type, mode: e.mode, mtime: e.mtime, uid: e.uid, gid: e.gid, size: e.size,
            linkTarget: e.type === 'hardlink' ? `files/${e.linkTarget}` : e.linkTarget,
          }, true);
        },
        data(chunk) {
          sinceCheck += chunk.length;
          if (sinceCheck >= PROGRESS_STEP) { sinceCheck = 0; checkAbort(); progress(); }
          return tar.data(chunk);
        },
        fileEnd: () => tar.end(),
        fileSum: (sha256) => tar.sourceSum(sha256),
        warning(w) {
          warnings.push({ ...w, ...(w.path !== undefined ? { path: `files/${w.path}` } : {}) });
        },
      });
      checkAbort();
    }

    if (opts.entries) {
      phase = 'entries';
      let rank = 0;
      for await (const e of opts.entries) {
        checkAbort();
        const top = e.path.split('/')[0];
        const r = ENTRY_ORDER.indexOf(top as typeof ENTRY_ORDER[number]);
        const p = e.path.replace(/\/+$/, '');
        if (r < 0 || !isSafeRelativePath(p) || p === top) {
          throw new AgentError('AGENT_E_INVALID', `archive entry ${JSON.stringify(e.path)} is not under databases/, mail/ or dns/`, { data: { field: 'entries' } });
        }
        if (r < rank) throw new AgentError('AGENT_E_INVALID', `archive entry ${e.path} comes after a later section (order is databases, mail, dns)`, { data: { field: 'entries' } });
        rank = r;
        const mtime = Math.floor(e.mtime.getTime() / 1000);
        if (e.type === 'file') {
          if (!Number.isSafeInteger(e.size) || (e.size as number) < 0 || !e.open) {
            throw new AgentError('AGENT_E_INVALID', `archive entry ${e.path} needs a size and open()`, { data: { field: 'entries' } });
          }
          await tar.begin({ path: p, type: 'file', mode: e.mode, mtime, size: e.size });
          for await (const chunk of e.open()) {
            const w = tar.data(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
            if (w) await w;
            checkAbort();
            progress();
          }
          await tar.end();
        } else {
          await tar.begin({ path: p, type: e.type, mode: e.mode, mtime, linkTarget: e.linkTarget });
        }
      }
    }

    phase = 'finishing';
    checkAbort();
    if (opts.sourceWarnings) warnings.push(...opts.sourceWarnings);
    await tar.addBuffer(WARNINGS_FILE, json(warnings), now);
    await tar.addBuffer('SHA256SUMS', tar.sums(), now);
    await tar.finish();
    await pipe.finish();
    checkAbort();
    const done = await sink.finish();
    opts.onProgress?.({ phase, bytesDone: pipe.bytesIn, bytesWritten: done.bytes });
    return { sha256: done.sha256, bytes: done.bytes, files, paths: done.paths, warnings };
  } catch (err) {
    await pipe.settle();
    await sink.discard();
    if (opts.signal?.aborted && !(err instanceof AgentError && err.code === 'AGENT_E_NO_SPACE')) {
      throw new AgentError('AGENT_E_CANCELLED', 'the archive was cancelled', { cause: err });
    }
    throw toAgentError(err);
  }
}
