// Lays out tar entries (header, content, padding) on the chunk pipeline and records the sha256
// of every regular file for SHA256SUMS. Content is hashed as it passes, never held whole.
import { createHash, type Hash } from 'node:crypto';
import { AgentError } from '../errors/index.ts';
import { Fifo } from '../core/index.ts';
import { tarHeader, padding, END_OF_ARCHIVE, type TarHeader } from './tar-header.ts';
import { storedByName, looksIncompressible, SAMPLE_FROM_SIZE } from './compressibility.ts';
import { sha256sumLine } from './checksums.ts';
import type { ChunkPipeline, ChunkMode } from './chunk-pipeline.ts';

interface OpenFile {
  path: string;
  size: number;
  left: number;
  /** Null when the source supplies the digest at end(). */
  hash: Hash | null;
  mode: ChunkMode | null;
}

const ZEROS = Buffer.alloc(512);
const SUMS_BLOCK = 256 * 1024;
/** Stands in for a digest the source hands over later; overwritten in place. */
const UNKNOWN_DIGEST = '0'.repeat(64);

export class TarAssembler {
  readonly #pipe: ChunkPipeline;
  #open: OpenFile | null = null;
  /**
   * SHA256SUMS so far, as UTF-8 bytes outside the JS heap: an account can hold hundreds of
   * thousands of files, and a string per line would grow the heap with them.
   */
  readonly #sums: Buffer[] = [];
  #sumsBuf = Buffer.allocUnsafe(SUMS_BLOCK);
  #sumsLen = 0;
  /**
   * Lines of files whose source hands their digest later (sourceSum()), oldest first: where in
   * #sums or #sumsBuf the line's placeholder digest lies.
   */
  readonly #unsummed = new Fifo<{ block: Buffer; at: number }>();

  constructor(pipe: ChunkPipeline) {
    this.#pipe = pipe;
  }

  /**
   * Starts an entry; a file's content must follow through data() and end(). With
   * `sourceHashes`, the source hashes the content itself and hands the digest to sourceSum(),
   * in file order, when it has it.
   */
  begin(h: TarHeader, sourceHashes = false): Promise<void> | undefined {
    if (this.#open) throw new AgentError('AGENT_E_INTERNAL', `tar entry ${h.path} started before ${this.#open.path} ended`);
    if (h.type === 'file') {
      const size = h.size ?? 0;
      const mode: ChunkMode | null = storedByName(h.path) ? 'store' : size >= SAMPLE_FROM_SIZE ? null : 'compress';
      this.#open = { path: h.path, size, left: size, hash: sourceHashes ? null : createHash('sha256'), mode };
    }
    return this.#pipe.write(tarHeader(h));
  }

  data(buf: Buffer): Promise<void> | undefined {
    const f = this.#open;
    if (!f || buf.length > f.left) {
      throw new AgentError('AGENT_E_SOURCE_READ', `${f?.path ?? 'an entry'} produced more bytes than its announced size`);
    }
    if (f.mode === null) f.mode = looksIncompressible(buf) ? 'store' : 'compress';
    f.left -= buf.length;
    f.hash?.update(buf);
    return this.#pipe.write(buf, f.mode);
  }

  /** Ends the open file entry, if any. */
  end(): Promise<void> | undefined {
    const f = this.#open;
    if (!f) return undefined;
    if (f.left !== 0) {
      throw new AgentError('AGENT_E_SOURCE_READ', `${f.path} produced ${f.size - f.left} bytes, ${f.size} were announced`);
    }
    this.#open = null;
    const line = sha256sumLine(f.hash ? f.hash.digest('hex') : UNKNOWN_DIGEST, f.path);
    const at = this.#addSum(line);
    if (!f.hash) this.#unsummed.push({ block: this.#sumsBuf, at: at + (line.startsWith('\\') ? 1 : 0) });
    const pad = padding(f.size);
    return pad ? this.#pipe.write(ZEROS.subarray(0, pad)) : undefined;
  }

  /** The source's digest of the oldest file ended without one. */
  sourceSum(sha256: string): void {
    const line = this.#unsummed.take();
    if (!line) throw new AgentError('AGENT_E_INTERNAL', 'a checksum arrived for no file');
    line.block.write(sha256, line.at, 'latin1');
  }

  /** Appends a line; returns where it starts in #sumsBuf. */
  #addSum(line: string): number {
    const len = Buffer.byteLength(line);
    if (this.#sumsLen + len > this.#sumsBuf.length) {
      this.#sums.push(this.#sumsBuf.subarray(0, this.#sumsLen));
      this.#sumsBuf = Buffer.allocUnsafe(Math.max(SUMS_BLOCK, len));
      this.#sumsLen = 0;
    }
    const at = this.#sumsLen;
    this.#sumsLen += this.#sumsBuf.write(line, at);
    return at;
  }

  /** SHA256SUMS for every regular file written so far. */
  sums(): Buffer {
    const missing = this.#unsummed.length;
    if (missing > 0) throw new AgentError('AGENT_E_INTERNAL', `${missing} file checksums never arrived`);
    return Buffer.concat([...this.#sums, this.#sumsBuf.subarray(0, this.#sumsLen)]);
  }

  /** A whole small file held in memory (manifest, warnings, checksums). */
  async addBuffer(path: string, data: Buffer, mtime: number, mode = 0o644): Promise<void> {
    await this.begin({ path, type: 'file', mode, mtime, size: data.length });
    if (data.length) await this.data(data);
    await this.end();
  }

  /** The end-of-archive marker. */
  finish(): Promise<void> | undefined {
    if (this.#open) throw new AgentError('AGENT_E_INTERNAL', `tar entry ${this.#open.path} was not ended`);
    return this.#pipe.write(END_OF_ARCHIVE);
  }
}
