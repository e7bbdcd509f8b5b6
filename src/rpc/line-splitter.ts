import { isUtf8 } from 'node:buffer';

/** A frame as text, or null when its bytes are not valid UTF-8. */
export type Frame = string | null;

/**
 * Splits a byte stream into newline-terminated frames. Splitting happens on bytes, before any
 * decoding, so a multi-byte character split across chunks is never mangled and an over-long line
 * is noticed before it is buffered whole. Each frame is then strictly decoded as UTF-8.
 */
export class LineSplitter {
  readonly #max: number;
  #parts: Buffer[] = [];
  #pending = 0;
  #overflowed = false;

  constructor(maxLineBytes: number) {
    this.#max = maxLineBytes;
  }

  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** True while a frame has begun and its newline has not arrived yet. */
  get partial(): boolean {
    return this.#pending > 0;
  }

  /** Returns the complete frames in the chunk; after an overflow it returns nothing more. */
  push(chunk: Buffer): Frame[] {
    if (this.#overflowed) return [];
    const frames: Frame[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl !== -1 && this.#pending > 0) {
      // The end of a line begun in earlier chunks.
      if (this.#pending + nl > this.#max) return this.#overflow(frames);
      frames.push(decode(Buffer.concat([...this.#parts, chunk.subarray(0, nl)])));
      this.#parts = [];
      this.#pending = 0;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    // Lines wholly inside this chunk are validated and decoded together: one call, not one per line.
    const first = start;
    for (; nl !== -1; nl = chunk.indexOf(10, start)) {
      if (nl - start > this.#max) {
        if (start > first) decodeLines(chunk.subarray(first, start - 1), frames);
        return this.#overflow(frames);
      }
      start = nl + 1;
    }
    if (start > first) decodeLines(chunk.subarray(first, start - 1), frames);
    const rest = chunk.subarray(start);
    if (rest.length) {
      if (this.#pending + rest.length > this.#max) return this.#overflow(frames);
      this.#parts.push(rest);
      this.#pending += rest.length;
    }
    return frames;
  }

  /** At the end of the stream: the unterminated last frame, if any. */
  finish(): Frame | undefined {
    if (this.#overflowed || this.#pending === 0) return undefined;
    const last = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#pending = 0;
    return decode(last);
  }

  #overflow(frames: Frame[]): Frame[] {
    this.#overflowed = true;
    this.#parts = [];
    this.#pending = 0;
    return frames;
  }
}

function decode(bytes: Buffer): Frame {
  return isUtf8(bytes) ? bytes.toString('utf8') : null;
}

/**
 * Appends the newline-separated lines of `region` (at least one, maybe empty).
 * A newline byte never occurs inside a UTF-8 sequence, so valid bytes decode to the same lines
 * whether split before or after decoding; only an invalid region is taken apart line by line.
 */
function decodeLines(region: Buffer, frames: Frame[]): void {
  if (isUtf8(region)) {
    const text = region.toString('utf8');
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      frames.push(text.slice(from, nl));
      from = nl + 1;
    }
    frames.push(text.slice(from));
    return;
  }
  let from = 0;
  for (let nl = region.indexOf(10); nl !== -1; nl = region.indexOf(10, from)) {
    frames.push(decode(region.subarray(from, nl)));
    from = nl + 1;
  }
  frames.push(decode(region.subarray(from)));
}
