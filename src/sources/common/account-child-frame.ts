// The one framing between the daemon and every child acting as an account: a 4-byte
// little-endian length, a JSON object of that length (the header, always with a string `t`), and,
// when the header carries `n`, exactly `n` raw bytes (the body). The child ends its output with
// `{t:'end'}`, or `{t:'fatal', code, message}` when it failed.

/** Largest header either side accepts; real ones are a few hundred bytes. */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface FrameHead {
  t: string;
  /** Length of the raw body that follows this header. */
  n?: number;
  [key: string]: unknown;
}

export function encodeHead(head: FrameHead): Buffer {
  const json = Buffer.from(JSON.stringify(head), 'utf8');
  if (json.length > MAX_HEADER_BYTES) throw new Error('frame header too large');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32LE(json.length, 0);
  return Buffer.concat([len, json]);
}
