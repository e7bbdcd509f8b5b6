// The one tar reader. Verify, import, restore (the files extractor and the collector of
// databases, mail and DNS) and manifest reading all parse archives with it, so two readers can
// never disagree about what an archive holds.
//
// It reads ustar (and v7) headers, pax extended headers ('x' for the next entry, 'g' for all
// that follow) and GNU long names and links ('L', 'K'). An archive is untrusted input: every
// header field is bounded, a header body is refused on its declared size before a byte of it
// is buffered, and anything malformed is AGENT_E_ARCHIVE_CORRUPT. Entry data is never held:
// it is handed to the visitor as slices of the chunks pushed in.
import { AgentError } from '../errors/index.ts';
import { BLOCK, padding } from './tar-header.ts';

export interface TarLimits {
  /** Bytes of pax records pending for one entry ('x'), and of all global records ('g'). */
  maxExtendedHeaderBytes: number;
  /** Bytes of a path or link target, whichever header spelled it (ustar, pax, GNU L/K). */
  maxPathBytes: number;
  /** Entries in one archive, extended headers not counted. */
  maxEntries: number;
}

export const TAR_LIMITS: Readonly<TarLimits> = {
  // Our writer's pax headers are a few hundred bytes; GNU tar's rarely more than a few KiB.
  maxExtendedHeaderBytes: 1 << 20,
  // Twice PATH_MAX: any path the kernel resolves, with the archive's `files/` in front.
  maxPathBytes: 8192,
  // Ten times the files of a large hosting account; verify keeps one checksum per file.
  maxEntries: 10_000_000,
};

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'other';

export interface TarEntry {
  /** The path inside the archive, trailing slashes removed. */
  path: string;
  type: TarEntryType;
  /** The raw typeflag, for messages about entries of type 'other'. */
  typeflag: string;
  /** Bytes of data that follow the header. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch; pax gives fractions. */
  mtime: number;
  /** Symlink target, or for hard links the archive path of the first copy; '' otherwise. */
  linkPath: string;
}

export interface TarVisitor {
  /** A header was read; its data (entry.size bytes) follows through data(), then entryEnd(). */
  entry(entry: TarEntry): void;
  /** A piece of the current entry's data: a slice of a pushed chunk, to be copied if kept. */
  data?(piece: Buffer): void;
  entryEnd?(): void;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink',
  '3': 'character-device', '4': 'block-device', '5': 'directory', '6': 'fifo',
};

export function archiveCorrupt(message: string): AgentError {
  return new AgentError('AGENT_E_ARCHIVE_CORRUPT', message);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A NUL-terminated (or full-width) text field. */
function text(block: Buffer, off: number, len: number): string {
  const nul = block.indexOf(0, off);
  return utf8.decode(block.subarray(off, nul >= 0 && nul < off + len ? nul : off + len));
}

/** A numeric field: octal digits with NUL or space padding, or GNU base-256 (high bit set). */
function number(block: Buffer, off: number, len: number, what: string): number {
  if (block[off]! & 0x80) {
    if (block[off] !== 0x80) throw archiveCorrupt(`a tar header's ${what} is negative or too large`);
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + block[i]!;
    if (!Number.isSafeInteger(n)) throw archiveCorrupt(`a tar header's ${what} is too large`);
    return n;
  }
  let i = off;
  const end = off + len;
  while (i < end && block[i] === 0x20) i++;
  let n = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    if (block[i] !== 0 && block[i] !== 0x20) throw archiveCorrupt(`a tar header's ${what} is not an octal number`);
  }
  if (digits === 0 && what === 'checksum') throw archiveCorrupt('a tar header has no checksum');
  return n;
}

/** GNU tar's rule: the sum of the header's bytes, the checksum field read as spaces, unsigned or signed. */
function checkChecksum(block: Buffer): void {
  const want = number(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (want !== unsigned && want !== signed) throw archiveCorrupt('a tar header checksum does not match');
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Parses pax records ("<len> <key>=<value>\n") into `into`. */
function parsePax(body: Buffer, into: Map<string, string>): void {
  let off = 0;
  while (off < body.length) {
    // GNU tar pads some pax bodies with NULs.
    if (body[off] === 0) break;
    const sp = body.indexOf(0x20, off);
    if (sp < 0 || sp - off > 8) throw archiveCorrupt('a pax record has no length');
    const lenText = body.toString('latin1', off, sp);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw archiveCorrupt('a pax record length is not a number');
    const len = Number(lenText);
    if (off + len > body.length || body[off + len - 1] !== 0x0a) throw archiveCorrupt('a pax record overruns its header');
    const eq = body.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= off + len - 1 || eq === sp + 1) throw archiveCorrupt('a pax record has no key');
    into.set(body.toString('utf8', sp + 1, eq), body.toString('utf8', eq + 1, off + len - 1));
    off += len;
  }
}

/** A pax decimal; only mtime may be negative or fractional. */
function paxNumber(value: string, what: 'size' | 'uid' | 'gid' | 'mtime'): number {
  const shape = what === 'mtime' ? /^-?[0-9]{1,16}(\.[0-9]*)?$/ : /^[0-9]{1,16}$/;
  if (!shape.test(value)) throw archiveCorrupt(`a pax ${what} is not a number`);
  const n = Number(value);
  if (!Number.isSafeInteger(Math.floor(n))) throw archiveCorrupt(`a pax ${what} is too large`);
  return n;
}

type Extension = 'x' | 'g' | 'L' | 'K';
const EXTENSIONS = new Set<string>(['x', 'g', 'L', 'K']);

/**
 * A push parser: push() decompressed bytes in any cut, end() when they end. Errors are thrown
 * from push() or end() as AGENT_E_ARCHIVE_CORRUPT; the reader is then unusable.
 */
export class TarReader {
  readonly #visitor: TarVisitor;
  readonly #limits: TarLimits;
  /** A header block being gathered across chunks. */
  readonly #block = Buffer.alloc(BLOCK);
  #blockBytes = 0;
  /** Data bytes of the current entry (or extension body) still to come, then padding. */
  #left = 0;
  #pad = 0;
  /** An extension header's body being gathered; at most maxExtendedHeaderBytes. */
  #extension: { type: Extension; body: Buffer; filled: number } | null = null;
  #inEntry = false;
  /** What extension headers said about the next entry. */
  #pending = new Map<string, string>();
  #pendingBytes = 0;
  #longName: string | null = null;
  #longLink: string | null = null;
  readonly #global = new Map<string, string>();
  #globalBytes = 0;
  #entries = 0;
  #ended = false;
  #stopped = false;

  constructor(visitor: TarVisitor, limits: Partial<TarLimits> = {}) {
    this.#visitor = visitor;
    this.#limits = { ...TAR_LIMITS, ...limits };
  }

  /** Entries read so far. */
  get entries(): number {
    return this.#entries;
  }

  /** Whether the end-of-archive marker was read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Ends reading from inside a visitor call: the rest of the pushed bytes are ignored. */
  stop(): void {
    this.#stopped = true;
  }

  push(chunk: Buffer): void {
    let off = 0;
    const n = chunk.length;
    while (off < n && !this.#stopped) {
      if (this.#left > 0) {
        const take = Math.min(this.#left, n - off);
        const piece = chunk.subarray(off, off + take);
        if (this.#extension) {
          piece.copy(this.#extension.body, this.#extension.filled);
          this.#extension.filled += take;
        } else {
          this.#visitor.data?.(piece);
        }
        this.#left -= take;
        off += take;
        if (this.#left === 0) this.#bodyEnd();
        continue;
      }
      if (this.#pad > 0) {
        const take = Math.min(this.#pad, n - off);
        this.#pad -= take;
        off += take;
        continue;
      }
      if (this.#blockBytes === 0 && n - off >= BLOCK) {
        this.#header(chunk.subarray(off, off + BLOCK));
        off += BLOCK;
        continue;
      }
      const take = Math.min(BLOCK - this.#blockBytes, n - off);
      chunk.copy(this.#block, this.#blockBytes, off, off + take);
      this.#blockBytes += take;
      off += take;
      if (this.#blockBytes === BLOCK) {
        this.#blockBytes = 0;
        this.#header(this.#block);
      }
    }
  }

  /** Throws unless the stream ended after the end-of-archive marker, on a block boundary. */
  end(): void {
    if (this.#left > 0 || this.#pad > 0 || this.#blockBytes > 0 || !this.#ended) throw archiveCorrupt('the archive is truncated');
  }

  #header(block: Buffer): void {
    if (isZero(block)) {
      if (this.#pendingBytes > 0 || this.#longName !== null || this.#longLink !== null) throw archiveCorrupt('an extended header is followed by the end of the archive');
      this.#ended = true;
      return;
    }
    if (this.#ended) throw archiveCorrupt('data follows the end-of-archive marker');
    checkChecksum(block);
    const typeflag = String.fromCharCode(block[156]!);
    let size = number(block, 124, 12, 'size');
    if (EXTENSIONS.has(typeflag)) return this.#startExtension(typeflag as Extension, size);

    if (++this.#entries > this.#limits.maxEntries) throw archiveCorrupt(`the archive holds more than ${this.#limits.maxEntries} entries`);
    const pax = this.#pending;
    const global = this.#global;
    const field = (key: string): string | undefined => pax.get(key) ?? global.get(key);
    const magic = block.toString('latin1', 257, 263);
    // POSIX ustar splits long names into prefix/name; GNU's format keeps other data there.
    const prefix = magic === 'ustar\0' ? text(block, 345, 155) : '';
    const name = text(block, 0, 100);
    let path = field('path') ?? this.#longName ?? (prefix ? `${prefix}/${name}` : name);
    const linkPath = field('linkpath') ?? this.#longLink ?? text(block, 157, 100);
    const paxSize = field('size');
    if (paxSize !== undefined) size = paxNumber(paxSize, 'size');
    const paxMtime = field('mtime');
    const paxUid = field('uid');
    const paxGid = field('gid');
    this.#checkPath(path, 'path');
    this.#checkPath(linkPath, 'link target');
    path = path.replace(/\/+$/, '');
    const type = TYPES[typeflag] ?? 'other';
    const entry: TarEntry = {
      path,
      type,
      typeflag,
      size,
      mode: number(block, 100, 8, 'mode'),
      uid: paxUid !== undefined ? paxNumber(paxUid, 'uid') : number(block, 108, 8, 'uid'),
      gid: paxGid !== undefined ? paxNumber(paxGid, 'gid') : number(block, 116, 8, 'gid'),
      mtime: paxMtime !== undefined ? paxNumber(paxMtime, 'mtime') : number(block, 136, 12, 'mtime'),
      linkPath,
    };
    if (this.#pending.size > 0) this.#pending = new Map();
    this.#pendingBytes = 0;
    this.#longName = null;
    this.#longLink = null;
    this.#inEntry = true;
    this.#visitor.entry(entry);
    this.#left = size;
    this.#pad = padding(size);
    if (size === 0) this.#bodyEnd();
  }

  #checkPath(value: string, what: string): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit: only long strings need counting.
    if (value.length * 3 > this.#limits.maxPathBytes && Buffer.byteLength(value) > this.#limits.maxPathBytes) {
      throw archiveCorrupt(`a tar ${what} is longer than ${this.#limits.maxPathBytes} bytes`);
    }
    if (value.includes('\0')) throw archiveCorrupt(`a tar ${what} holds a NUL byte`);
  }

  /** Refuses an extension body on its declared size, before any of it is read. */
  #startExtension(type: Extension, size: number): void {
    const isName = type === 'L' || type === 'K';
    // A GNU long name carries its NUL terminator.
    const bound = isName ? this.#limits.maxPathBytes + 1 : this.#limits.maxExtendedHeaderBytes;
    if (size > bound) throw archiveCorrupt(`a tar ${isName ? 'GNU long name' : 'pax header'} declares ${size} bytes, more than the ${bound} allowed`);
    const already = type === 'g' ? this.#globalBytes : this.#pendingBytes;
    if (already + size > this.#limits.maxExtendedHeaderBytes) throw archiveCorrupt(`tar extended headers exceed ${this.#limits.maxExtendedHeaderBytes} bytes`);
    if (type === 'g') this.#globalBytes += size;
    else this.#pendingBytes += size;
    this.#extension = { type, body: Buffer.allocUnsafe(size), filled: 0 };
    this.#left = size;
    this.#pad = padding(size);
    if (size === 0) this.#bodyEnd();
  }

  #bodyEnd(): void {
    const ext = this.#extension;
    if (!ext) {
      if (this.#inEntry) {
        this.#inEntry = false;
        this.#visitor.entryEnd?.();
      }
      return;
    }
    this.#extension = null;
    if (ext.type === 'x') parsePax(ext.body, this.#pending);
    else if (ext.type === 'g') parsePax(ext.body, this.#global);
    else {
      const nul = ext.body.indexOf(0);
      const value = ext.body.toString('utf8', 0, nul >= 0 ? nul : ext.body.length);
      if (ext.type === 'L') this.#longName = value;
      else this.#longLink = value;
    }
  }
}
