// Node's zstd decompressor stops at the end of the first frame inside one write() and drops
// the rest of that buffer (Node 24.x). Our archives are many concatenated frames, so readers
// cut the byte stream at frame boundaries (RFC 8878 frame and block headers) and feed each
// piece separately; pieces never span two frames.
import { AgentError } from '../errors/index.ts';

const ZSTD_MAGIC = 0xfd2fb528;
const FCS_BYTES = [0, 2, 4, 8];
const DICT_BYTES = [0, 1, 2, 4];

function bad(message: string): AgentError {
  return new AgentError('AGENT_E_ARCHIVE_CORRUPT', message);
}

export class ZstdFrameSplitter {
  #carry: Buffer = Buffer.alloc(0);
  #state: 'frame' | 'block' = 'frame';
  #skip = 0;
  #frameEndsAfterSkip = false;
  #checksum = false;

  /** Yields the chunk's bytes in pieces that each lie within one frame. */
  *push(chunk: Buffer): Generator<Buffer> {
    const buf = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = Buffer.alloc(0);
    let start = 0;
    let off = 0;
    while (off < buf.length) {
      if (this.#skip > 0) {
        const t = Math.min(this.#skip, buf.length - off);
        off += t;
        this.#skip -= t;
        if (this.#skip === 0 && this.#frameEndsAfterSkip) {
          this.#frameEndsAfterSkip = false;
          yield buf.subarray(start, off);
          start = off;
        }
        continue;
      }
      const avail = buf.length - off;
      if (this.#state === 'frame') {
        if (avail < 8) break;
        const magic = buf.readUInt32LE(off);
        if ((magic & 0xfffffff0) === 0x184d2a50) {
          this.#skip = 8 + buf.readUInt32LE(off + 4);
          this.#frameEndsAfterSkip = true;
          continue;
        }
        if (magic !== ZSTD_MAGIC) throw bad('a zstd frame header is invalid');
        const fhd = buf[off + 4];
        const single = (fhd >> 5) & 1;
        const fcs = FCS_BYTES[fhd >> 6] || (single ? 1 : 0);
        this.#checksum = ((fhd >> 2) & 1) === 1;
        this.#skip = 5 + (single ? 0 : 1) + DICT_BYTES[fhd & 3] + fcs;
        this.#state = 'block';
      } else {
        if (avail < 3) break;
        const h = buf.readUIntLE(off, 3);
        const type = (h >> 1) & 3;
        if (type === 3) throw bad('a zstd block header is invalid');
        this.#skip = 3 + (type === 1 ? 1 : h >>> 3);
        if (h & 1) {
          if (this.#checksum) this.#skip += 4;
          this.#frameEndsAfterSkip = true;
          this.#state = 'frame';
        }
      }
    }
    if (off < buf.length) this.#carry = Buffer.from(buf.subarray(off));
    if (off > start) yield buf.subarray(start, off);
  }

  /** Throws unless the stream ended exactly at a frame boundary. */
  end(): void {
    if (this.#carry.length > 0 || this.#skip > 0 || this.#state !== 'frame') throw bad('the archive is truncated inside a zstd frame');
  }
}
