// The daemon's side of the frame protocol (frame.ts). What the child sends is untrusted input:
// malformed framing fails the read; unsafe paths, policy violations and hard links to files
// not sent before are skipped with a warning.
import { AgentError } from '../../errors/index.ts';
import { Fifo, type SourceWarning } from '../../core/index.ts';
import { HOME_WARNINGS, MAX_HEADER_BYTES, MAX_UNSUMMED_FILES, type FrameHeader } from './frame.ts';
import { isSafeRelativePath, sshAllows } from './policy.ts';
import type { HomeEntry, HomeSink } from './read-home.ts';

export function sourceError(message: string, cause?: unknown): AgentError {
  return new AgentError('AGENT_E_SOURCE_READ', message, { cause });
}

export function isInt(v: unknown, min = 0): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/** Checks one header from the child; returns a reason when it must not be trusted. */
function headerProblem(h: FrameHeader): string | null {
  if (h.t === 'w' || h.t === 'e' || h.t === 's') return null;
  if (typeof h.p !== 'string' || !isInt(h.m) || !isInt(h.mt, -(2 ** 40)) || !isInt(h.u) || !isInt(h.g)) return 'malformed header';
  if (h.t === 'f' && !isInt(h.s)) return 'malformed size';
  if ((h.t === 'l' || h.t === 'h') && typeof h.l !== 'string') return 'malformed link';
  return null;
}

/** Parses the child's frames, checks them, and drives the sink. */
export class FrameParser {
  readonly #sink: HomeSink;
  #pending: Buffer | null = null;
  #dataLeft = 0;
  #skipData = false;
  /** A file entry is open: its content ends once #dataLeft reaches 0. */
  #inFile = false;
  /** Files whose content ended and whose checksum is due, oldest first; false where skipped. */
  readonly #unsummed = new Fifo<boolean>();
  ended = false;
  readonly #linkable = new Set<string>();

  constructor(sink: HomeSink) {
    this.#sink = sink;
  }

  get complete(): boolean {
    return this.ended && !this.#inFile && this.#pending === null && this.#unsummed.length === 0;
  }

  feed(input: Buffer): Promise<void> | undefined {
    let chunk = input;
    if (this.#pending) { chunk = Buffer.concat([this.#pending, input]); this.#pending = null; }
    return this.#feedFrom(chunk, 0);
  }

  #feedFrom(chunk: Buffer, start: number): Promise<void> | undefined {
    let off = start;
    while (off < chunk.length || (this.#inFile && this.#dataLeft === 0)) {
      if (this.#dataLeft > 0) {
        const take = Math.min(this.#dataLeft, chunk.length - off);
        const piece = chunk.subarray(off, off + take);
        this.#dataLeft -= take;
        off += take;
        if (!this.#skipData) {
          const wait = this.#sink.data(piece);
          if (wait) { const next = off; return wait.then(() => this.#feedFrom(chunk, next)); }
        }
        continue;
      }
      if (this.#inFile) {
        const wait = this.#fileEnd();
        if (wait) { const next = off; return wait.then(() => this.#feedFrom(chunk, next)); }
        continue;
      }
      if (this.ended) throw sourceError('the file reader sent data after its end marker');
      if (chunk.length - off < 4) { this.#pending = Buffer.from(chunk.subarray(off)); break; }
      const len = chunk.readUInt32LE(off);
      if (len === 0 || len > MAX_HEADER_BYTES) throw sourceError('the file reader sent a malformed frame');
      if (chunk.length - off < 4 + len) { this.#pending = Buffer.from(chunk.subarray(off)); break; }
      let h: FrameHeader;
      try {
        h = JSON.parse(chunk.toString('utf8', off + 4, off + 4 + len)) as FrameHeader;
      } catch (err) {
        throw sourceError('the file reader sent a malformed frame', err);
      }
      off += 4 + len;
      const wait = this.#header(h);
      if (wait) { const next = off; return wait.then(() => this.#feedFrom(chunk, next)); }
    }
    return undefined;
  }

  #fileEnd(): Promise<void> | undefined {
    this.#inFile = false;
    if (this.#unsummed.length >= MAX_UNSUMMED_FILES) throw sourceError('the file reader sent too many files without their checksums');
    this.#unsummed.push(!this.#skipData);
    return this.#skipData ? undefined : this.#sink.fileEnd();
  }

  #fileSum(hex: unknown): void {
    if (this.#unsummed.length === 0) throw sourceError('the file reader sent a checksum for no file');
    if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) throw sourceError('the file reader sent a malformed checksum');
    if (this.#unsummed.take()) this.#sink.fileSum(hex);
  }

  #header(h: FrameHeader): Promise<void> | undefined {
    const problem = headerProblem(h);
    if (problem) throw sourceError(`the file reader sent a ${problem}`);
    if (h.t === 's') { this.#fileSum(h.h); return undefined; }
    if (h.t === 'e') {
      if (this.#unsummed.length > 0) throw sourceError('the file reader ended with files still missing their checksums');
      this.ended = true;
      return undefined;
    }
    if (h.t === 'w') {
      const warning: SourceWarning = { code: String(h.c), message: String(h.msg) };
      if (typeof h.p === 'string') warning.path = h.p;
      this.#sink.warning(warning);
      return undefined;
    }
    const isRoot = h.p === '' && h.t === 'd';
    this.#skipData = false;
    this.#dataLeft = h.t === 'f' ? h.s : 0;
    this.#inFile = h.t === 'f';
    if (!isRoot && (!isSafeRelativePath(h.p) || !sshAllows(h.p) || (h.t === 'h' && !this.#linkable.has(h.l)))) {
      this.#skipData = true;
      this.#sink.warning({ code: HOME_WARNINGS.unsafePath, path: h.p, message: 'the file reader sent an entry outside the policy; skipped' });
      return undefined;
    }
    const type = h.t === 'f' ? 'file' : h.t === 'd' ? 'directory' : h.t === 'l' ? 'symlink' : h.t === 'h' ? 'hardlink' : null;
    if (!type) throw sourceError('the file reader sent an unknown entry type');
    // Only files announced as hard-linked may be link targets: the set stays small.
    if (h.t === 'f' && h.k === 1) this.#linkable.add(h.p);
    const entry: HomeEntry = { path: h.p, type, mode: h.m, mtime: h.mt, uid: h.u, gid: h.g, size: this.#dataLeft };
    if (h.t === 'l' || h.t === 'h') entry.linkTarget = h.l;
    return this.#sink.entry(entry);
  }
}

