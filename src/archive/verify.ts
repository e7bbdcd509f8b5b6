// Re-reads an archive (or its parts, in order) and checks it end to end: it decompresses,
// its tar headers are sound (the one tar reader, tar-reader.ts), manifest.json comes first and
// SHA256SUMS last, and every regular file matches its checksum. Any failure is
// AGENT_E_ARCHIVE_CORRUPT; a stream expanding past `maxTarBytes` is AGENT_E_ARCHIVE_EXPANSION.
import zlib from 'node:zlib';
import { createHash, type Hash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { AgentError } from '../errors/index.ts';
import { TarReader, type TarEntry, type TarVisitor } from './tar-reader.ts';
import { SumsMatcher } from './sums-matcher.ts';
import { ZstdFrameSplitter } from './zstd-frames.ts';
import { sha256OfFiles } from './hash-files.ts';
import { inflateMembers, NotMemberShaped } from './gzip-members.ts';
import { compressionOf, localArchive, sniffCompression, type ArchiveSource } from './archive-source.ts';

export interface VerifyResult {
  sha256: string;
  bytes: number;
  /** Regular files of the home directory (`files/…`, hard links included): what snapshot.list and backup.estimate call files. */
  files: number;
  /** Archive members checked against SHA256SUMS, SHA256SUMS itself included (databases, mail, zones, manifest); absent when only the sha256 was compared. */
  entries?: number;
  /** gzip made of members of our writer's shape: readers may decode them with inflateMembers(). */
  members: boolean;
}

const INFLATE_CHUNK = 1 << 20;

function corrupt(message: string, cause?: unknown): AgentError {
  return new AgentError('AGENT_E_ARCHIVE_CORRUPT', message, { cause });
}

/** The source's bytes, counted and hashed as they pass, in pieces a decompressor takes. */
async function* tapped(source: ArchiveSource, tap: Hash | null, count: { bytes: number }, splitter: ZstdFrameSplitter | null): AsyncGenerator<Buffer> {
  for await (const chunk of source.open()) {
    if (count.bytes === 0 && chunk.length > 0 && compressionOf(chunk) !== source.compression) throw corrupt(`the archive is not ${source.compression}`);
    tap?.update(chunk);
    count.bytes += chunk.length;
    if (splitter) yield* splitter.push(chunk);
    else yield chunk;
  }
  splitter?.end();
}

/** Paths on local disk become a source; their compression is told by their first bytes. */
function sourceOf(input: string | string[] | ArchiveSource): ArchiveSource {
  if (typeof input !== 'string' && !Array.isArray(input)) return input;
  const list = typeof input === 'string' ? [input] : input;
  if (list.length === 0) throw new AgentError('AGENT_E_INVALID', 'no archive path given', { data: { field: 'paths' } });
  let compression: ReturnType<typeof sniffCompression>;
  try {
    compression = sniffCompression(list[0]!);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AgentError('AGENT_E_NOT_FOUND', 'an archive file is missing', { cause: err });
    throw err;
  }
  if (!compression) throw corrupt('the archive is neither gzip nor zstd');
  return localArchive(list, compression);
}

/** Hashes each regular file as the one tar reader (tar-reader.ts) passes it by. */
class TarChecker implements TarVisitor {
  readonly reader = new TarReader(this);
  #hash: Hash | null = null;
  #path = '';
  #sumsFile: SumsMatcher | null = null;
  firstName: string | null = null;
  lastName: string | null = null;
  /** Path -> binary sha256 (32 one-byte characters: half the memory of hex). */
  readonly sums = new Map<string, string>();
  /** Regular files and hard links under files/. */
  homeFiles = 0;
  /** Whether SHA256SUMS was read and matched. */
  sumsChecked = false;

  entry(e: TarEntry): void {
    this.firstName ??= e.path;
    this.lastName = e.path;
    this.#hash = null;
    if (e.path.startsWith('files/') && (e.type === 'file' || e.type === 'hardlink')) this.homeFiles++;
    if (e.type !== 'file') return;
    this.#path = e.path;
    this.#hash = createHash('sha256');
    // Matched as it streams: its size needs no bound of its own.
    if (e.path === 'SHA256SUMS') this.#sumsFile = new SumsMatcher(this.sums);
  }

  data(piece: Buffer): void {
    this.#hash?.update(piece);
    this.#sumsFile?.push(piece);
  }

  entryEnd(): void {
    if (!this.#hash) return;
    const digest = this.#hash.digest('binary');
    if (this.#sumsFile) {
      // Checked at once: SHA256SUMS is the last entry (checked after the end of the archive).
      this.#sumsFile.end();
      this.#sumsFile = null;
      this.sumsChecked = true;
    } else {
      this.sums.set(this.#path, digest);
    }
    this.#hash = null;
  }
}

interface Decoded { checker: TarChecker; sha256: string; bytes: number }

interface DecodeOptions {
  parallel: boolean;
  sha256?: string;
  signal?: AbortSignal;
  /** Refuse once the tar stream grows past this many bytes (a decompression bomb). */
  maxTarBytes?: number;
}

/**
 * One pass over the source: hashes the compressed bytes, decompresses (gzip members in
 * parallel when `parallel`), and checks the tar stream.
 */
async function decodeOnce(source: ArchiveSource, o: DecodeOptions): Promise<Decoded> {
  // Files on disk are hashed again by a worker thread, in parallel with the decompression here.
  const done = new AbortController();
  const hashed = source.files ? sha256OfFiles(source.files, done.signal) : null;
  hashed?.catch(() => {});
  try {
    return await decodeWith(source, hashed, o);
  } finally {
    done.abort();
  }
}

async function decodeWith(source: ArchiveSource, hashed: Promise<{ sha256: string; bytes: number }> | null, { parallel, sha256, signal, maxTarBytes = Infinity }: DecodeOptions): Promise<Decoded> {
  const sealed = source.sealedSha256;
  const whole = hashed || sealed ? null : createHash('sha256');
  const count = { bytes: 0 };
  const checker = new TarChecker();
  const isGzip = source.compression === 'gzip';
  const bytes = tapped(source, whole, count, isGzip ? null : new ZstdFrameSplitter());
  let expanded = 0;
  const check = async (stream: AsyncIterable<Buffer>) => {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      expanded += chunk.length;
      if (expanded > maxTarBytes) {
        throw new AgentError('AGENT_E_ARCHIVE_EXPANSION', `the archive decompresses to more than ${maxTarBytes} bytes, the most allowed for its ${count.bytes} compressed bytes read so far`, { data: { maxTarBytes } });
      }
      checker.reader.push(chunk);
    }
  };
  if (parallel) await check(inflateMembers(bytes, { checkCrc: !sha256 }));
  else {
    // Large output chunks: zlib's default 16 KiB means one threadpool round trip per 16 KiB.
    const decompressor = isGzip ? zlib.createGunzip({ chunkSize: INFLATE_CHUNK }) : zlib.createZstdDecompress({ chunkSize: INFLATE_CHUNK });
    await pipeline(bytes, decompressor, check, { signal });
  }
  checker.reader.end();
  if (hashed) {
    const h = await hashed;
    if (h.bytes !== count.bytes) throw corrupt('the archive changed while it was verified');
    return { checker, sha256: h.sha256, bytes: count.bytes };
  }
  return { checker, sha256: whole ? whole.digest('hex') : sealed!, bytes: count.bytes };
}

/** A failure while reading an archive, as the error a caller reports. */
function readFailure(err: unknown, what: string): AgentError {
  if (err instanceof AgentError) return err;
  if ((err as Error).name === 'AbortError') return new AgentError('AGENT_E_CANCELLED', 'verification was cancelled', { cause: err });
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new AgentError('AGENT_E_NOT_FOUND', 'an archive file is missing', { cause: err });
  return corrupt(`${what}: ${(err as Error).message}`, err);
}

const differsFromRecord = (): AgentError => corrupt('the archive\'s sha256 differs from the recorded one');

/**
 * The integrity check of an archive this agent wrote: its compressed bytes hashed once (on a
 * worker thread for files on disk) and compared with the sha256 recorded when it was written,
 * without decompressing. Equal bytes are exactly the bytes that were written, gzip members of
 * our writer's shape and SHA256SUMS included; a truncated or damaged copy differs. Archives
 * made elsewhere (snapshot.import) get verifyArchive's full check instead.
 */
export async function checkRecordedSha256(source: ArchiveSource, recorded: { sha256: string; files: number }, signal?: AbortSignal): Promise<VerifyResult> {
  let got: { sha256: string; bytes: number };
  try {
    if (source.files) {
      got = await sha256OfFiles(source.files, signal);
    } else {
      // A sealed source fails its own read unless the bytes have that sha256.
      const hash = source.sealedSha256 ? null : createHash('sha256');
      let bytes = 0;
      for await (const chunk of source.open()) {
        signal?.throwIfAborted();
        hash?.update(chunk);
        bytes += chunk.length;
      }
      got = { sha256: hash ? hash.digest('hex') : source.sealedSha256!, bytes };
    }
  } catch (err) {
    throw readFailure(err, 'the archive cannot be read');
  }
  if (got.sha256 !== recorded.sha256) throw differsFromRecord();
  return { sha256: got.sha256, bytes: got.bytes, files: recorded.files, members: source.compression === 'gzip' };
}

/** Verifies an archive given as one path, its parts in order, or a source to stream it from. */
export async function verifyArchive(input: string | string[] | ArchiveSource, options: { sha256?: string; signal?: AbortSignal; maxTarBytes?: number } = {}): Promise<VerifyResult> {
  const source = sourceOf(input);
  let decoded: Decoded;
  let members = source.compression === 'gzip';
  try {
    try {
      decoded = await decodeOnce(source, { ...options, parallel: members });
    } catch (err) {
      // Members of another shape, or damage: the serial decompressor has the last word.
      if (!(err instanceof NotMemberShaped)) throw err;
      members = false;
      decoded = await decodeOnce(source, { ...options, parallel: false });
    }
  } catch (err) {
    throw readFailure(err, 'the archive does not decompress');
  }
  const { checker, sha256, bytes } = decoded;
  if (options.sha256 && options.sha256 !== sha256) throw differsFromRecord();
  if (checker.firstName !== 'manifest.json') throw corrupt('manifest.json is not the first entry');
  if (checker.lastName !== 'SHA256SUMS') throw corrupt('SHA256SUMS is not the last entry');
  if (!checker.sumsChecked) throw corrupt('SHA256SUMS is missing');
  return { sha256, bytes, files: checker.homeFiles, entries: checker.sums.size + 1, members };
}
