// Decompresses a gzip stream made of concatenated members without a serial gunzip over all
// of it. Our writer (codec.ts) makes members of at most 1 MiB of input, each starting with
// zlib's 10-byte header (no flags, mtime 0):
// - a "stored" member is walked block by block (lengths in its block headers), its content
//   passed on as slices of the input, no copy, and only its CRC and size are checked;
// - a compressed member ends where the next header starts; that segment is gunzipped in one
//   call on libuv's threadpool, several at a time, output kept in order. zlib decodes a segment
//   strictly (bytes after a member that are not a member fail), so an accepted segment is whole
//   members back to back and decodes exactly as a serial gunzip of the stream would.
// What does not fit these shapes (another writer's headers, a header look-alike inside
// compressed data, damage) throws NotMemberShaped; the caller then decompresses serially,
// which gives the authoritative verdict.
import zlib from 'node:zlib';
import os from 'node:os';
import { promisify } from 'node:util';

const gunzip = promisify(zlib.gunzip);

export class NotMemberShaped extends Error {
  override name = 'NotMemberShaped';
}

/** Magic, deflate, no flags, mtime 0: the first 8 bytes of every member zlib writes. */
const HEAD = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]);
const HEADER_BYTES = 10;
const BLOCK_HEADER_BYTES = 5;
const TRAILER_BYTES = 8;
/** Bytes kept back at the end of compressed data: a header may start in them. */
const KEEP = HEADER_BYTES - 1;
const OS_UNIX = 3;
/** Our compressed members are far smaller; a longer one is another writer's, decoded serially. */
const MAX_SEGMENT = 16 << 20;
const SEGMENT_OUTPUT = 1 << 20;

/** A member header of the exact shape zlib writes (XFL 0, 2 or 4 by level, OS Unix). */
function headerAt(buf: Buffer, i: number): boolean {
  return i + HEADER_BYTES <= buf.length && buf.compare(HEAD, 0, HEAD.length, i, i + HEAD.length) === 0
    && (buf[i + 8] === 0 || buf[i + 8] === 2 || buf[i + 8] === 4) && buf[i + 9] === OS_UNIX;
}

/** The first header in `buf` at or after `from` with all its bytes present, or -1. */
function findHeader(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(HEAD, from); i >= 0 && i + HEADER_BYTES <= buf.length; i = buf.indexOf(HEAD, i + 1)) {
    if (headerAt(buf, i)) return i;
  }
  return -1;
}

type Mode = 'header' | 'block' | 'stored' | 'trailer' | 'compressed';

/** Cuts the byte stream into members; each becomes a task yielding its decompressed bytes. */
class MemberCutter {
  readonly tasks: Promise<Buffer[]>[] = [];
  #mode: Mode = 'header';
  /** A fixed-size field (header, block header, trailer) being gathered. */
  #field: Buffer[] = [];
  #fieldBytes = 0;
  /** Raw bytes of the current member, for when it turns out to be compressed. */
  #raw: Buffer[] = [];
  /** Stored content of the current member. */
  #content: Buffer[] = [];
  #crc = 0;
  #size = 0;
  #left = 0;
  #final = false;
  /** Compressed mode: the last bytes seen, not yet known to be outside the next header. */
  #tail: Buffer = Buffer.alloc(0);
  #rawBytes = 0;
  readonly #checkCrc: boolean;

  constructor(checkCrc: boolean) {
    this.#checkCrc = checkCrc;
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    let off = 0;
    while (off < buf.length) {
      if (this.#mode === 'compressed') {
        const rest = this.#scan(buf.subarray(off));
        if (!rest) return;
        buf = rest;
        off = 0;
        continue;
      }
      if (this.#mode === 'stored') {
        const take = Math.min(this.#left, buf.length - off);
        const piece = buf.subarray(off, off + take);
        this.#raw.push(piece);
        this.#content.push(piece);
        if (this.#checkCrc) this.#crc = zlib.crc32(piece, this.#crc);
        this.#size += take;
        this.#left -= take;
        off += take;
        if (this.#left === 0) this.#mode = this.#final ? 'trailer' : 'block';
        continue;
      }
      const need = this.#mode === 'header' ? HEADER_BYTES : this.#mode === 'block' ? BLOCK_HEADER_BYTES : TRAILER_BYTES;
      const take = Math.min(need - this.#fieldBytes, buf.length - off);
      const piece = buf.subarray(off, off + take);
      this.#raw.push(piece);
      this.#field.push(piece);
      this.#fieldBytes += take;
      off += take;
      if (this.#fieldBytes === need) {
        const field = this.#field.length === 1 ? this.#field[0]! : Buffer.concat(this.#field);
        this.#field = [];
        this.#fieldBytes = 0;
        this.#onField(field);
      }
    }
  }

  #onField(f: Buffer): void {
    if (this.#mode === 'header') {
      if (f[0] !== 0x1f || f[1] !== 0x8b || f[2] !== 8 || f[3] !== 0) throw new NotMemberShaped('a gzip member header of another shape');
      this.#mode = 'block';
    } else if (this.#mode === 'block') {
      const len = f.readUInt16LE(1);
      if (((f[0]! >> 1) & 3) !== 0 || (len ^ 0xffff) !== f.readUInt16LE(3)) {
        // Not a stored block: the member is compressed; it ends where the next header starts.
        this.#mode = 'compressed';
        this.#content = [];
        return;
      }
      this.#final = (f[0]! & 1) === 1;
      this.#left = len;
      if (this.#size + len > MAX_SEGMENT) throw new NotMemberShaped('a gzip member longer than our writer makes');
      this.#mode = len === 0 ? (this.#final ? 'trailer' : 'block') : 'stored';
    } else {
      if ((this.#checkCrc && f.readUInt32LE(0) !== this.#crc >>> 0) || f.readUInt32LE(4) !== this.#size % 2 ** 32) throw new NotMemberShaped('a stored gzip member fails its CRC');
      this.#enqueue(Promise.resolve(this.#content));
      this.#reset();
    }
  }

  /** Compressed mode: looks for the next header; returns the bytes from it on, or null when all was taken. */
  #scan(data: Buffer): Buffer | null {
    const tail = this.#tail;
    if (tail.length > 0) {
      // A header starting in the kept-back bytes, ending in the new ones.
      const edge = Buffer.concat([tail, data.subarray(0, KEEP)]);
      const at = findHeader(edge, 0);
      if (at >= 0 && at < tail.length) {
        this.#cutCompressed(tail.subarray(0, at));
        return Buffer.concat([tail.subarray(at), data]);
      }
    }
    const at = findHeader(data, 0);
    if (at >= 0) {
      this.#cutCompressed(Buffer.concat([tail, data.subarray(0, at)]));
      return data.subarray(at);
    }
    const all = tail.length > 0 ? Buffer.concat([tail, data]) : data;
    const keep = Math.min(KEEP, all.length);
    if (all.length > keep) this.#raw.push(all.subarray(0, all.length - keep));
    this.#rawBytes += all.length - keep;
    if (this.#rawBytes > MAX_SEGMENT) throw new NotMemberShaped('a gzip member longer than our writer makes');
    this.#tail = Buffer.from(all.subarray(all.length - keep));
    return null;
  }

  #cutCompressed(last: Buffer): void {
    const segment = Buffer.concat([...this.#raw, last]);
    // One output buffer the size of our members' input: no main-thread round trip per 16 KiB.
    // Our members expand to 1 MiB; a segment expanding past MAX_SEGMENT is not ours (or is a
    // bomb) and goes to the serial decompressor, which streams it with bounded memory.
    this.#enqueue(gunzip(segment, { chunkSize: SEGMENT_OUTPUT, maxOutputLength: MAX_SEGMENT }).then((b) => [b], (err: Error) => { throw new NotMemberShaped(`a gzip segment does not decompress alone: ${err.message}`); }));
    this.#reset();
  }

  #enqueue(task: Promise<Buffer[]>): void {
    task.catch(() => {}); // awaited in order by the reader; never an unhandled rejection meanwhile
    this.tasks.push(task);
  }

  #reset(): void {
    this.#mode = 'header';
    this.#raw = [];
    this.#content = [];
    this.#crc = 0;
    this.#size = 0;
    this.#tail = Buffer.alloc(0);
    this.#rawBytes = 0;
  }

  end(): void {
    if (this.#mode === 'compressed') this.#cutCompressed(this.#tail);
    else if (this.#mode !== 'header' || this.#fieldBytes > 0) throw new NotMemberShaped('the gzip stream ends inside a member');
  }
}

export interface InflateMembersOptions {
  /** Segments being gunzipped at once; default twice the CPUs, at most 8. */
  inFlight?: number;
  /**
   * Check the CRC of stored members (on this thread). A caller that compares the whole input's
   * sha256 with a recorded one before trusting the output may skip it: equal bytes are the
   * writer's bytes, whose CRCs are right by construction.
   */
  checkCrc?: boolean;
}

/** Yields the decompressed bytes of `input`, a gzip stream of members, in order. */
export async function* inflateMembers(input: AsyncIterable<Buffer>, o: InflateMembersOptions = {}): AsyncGenerator<Buffer> {
  const inFlight = o.inFlight ?? Math.min(8, 2 * os.availableParallelism());
  const cutter = new MemberCutter(o.checkCrc ?? true);
  for await (const chunk of input) {
    cutter.push(chunk);
    while (cutter.tasks.length > inFlight) yield* await cutter.tasks.shift()!;
  }
  cutter.end();
  while (cutter.tasks.length > 0) yield* await cutter.tasks.shift()!;
}
