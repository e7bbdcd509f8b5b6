/**
 * Splits a byte stream into newline-terminated frames without decoding it, so a multi-byte
 * character split across chunks is never mangled and an over-long line is noticed before it
 * is buffered whole.
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

  /** Returns the complete lines in the chunk; after an overflow it returns nothing more. */
  push(chunk: Buffer): Buffer[] {
    if (this.#overflowed) return [];
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.#pending + piece.length > this.#max) return this.#overflow(lines);
      lines.push(this.#parts.length ? Buffer.concat([...this.#parts, piece]) : piece);
      this.#parts = [];
      this.#pending = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length) {
      if (this.#pending + rest.length > this.#max) return this.#overflow(lines);
      this.#parts.push(rest);
      this.#pending += rest.length;
    }
    return lines;
  }

  /** At the end of the stream: the unterminated last line, if any. */
  finish(): Buffer | null {
    if (this.#overflowed || this.#pending === 0) return null;
    const last = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#pending = 0;
    return last;
  }

  #overflow(lines: Buffer[]): Buffer[] {
    this.#overflowed = true;
    this.#parts = [];
    this.#pending = 0;
    return lines;
  }
}
