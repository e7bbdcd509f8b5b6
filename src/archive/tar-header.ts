// POSIX ustar headers, with a pax extended header in front when a field does not fit
// (long or non-ASCII-safe paths, sizes of 8 GiB and more, large ids). GNU tar reads both.

export const BLOCK = 512;

export type TarType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface TarHeader {
  /** Path inside the archive, without a trailing slash (added for directories). */
  path: string;
  type: TarType;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  size?: number;
  uid?: number;
  gid?: number;
  /** Symlink target, or for hard links the archive path of the first copy. */
  linkTarget?: string;
}

const TYPEFLAG: Record<TarType, number> = { file: 0x30, hardlink: 0x31, symlink: 0x32, directory: 0x35 };
const MAX_OCTAL_11 = 0o77777777777;
const MAX_OCTAL_7 = 0o7777777;

function writeString(block: Buffer, offset: number, width: number, value: Buffer): void {
  value.copy(block, offset, 0, Math.min(width, value.length));
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = Math.floor(value).toString(8).padStart(width - 1, '0');
  block.write(digits, offset, width - 1, 'latin1');
  block[offset + width - 1] = 0;
}

/** Splits a path into ustar prefix and name, or returns null when it cannot be stored there. */
function splitUstarPath(path: Buffer): { prefix: Buffer; name: Buffer } | null {
  if (path.length <= 100) return { prefix: Buffer.alloc(0), name: path };
  if (path.length > 256) return null;
  // The prefix ends at a '/', which is dropped: name <= 100 bytes, prefix <= 155 bytes.
  for (let i = Math.max(0, path.length - 101); i < Math.min(155, path.length); i++) {
    if (path[i] === 0x2f) {
      const name = path.subarray(i + 1);
      if (name.length > 0 && name.length <= 100) return { prefix: path.subarray(0, i), name };
      break;
    }
  }
  return null;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len++;
  return `${len}${body}`;
}

function ustarBlock(h: TarHeader, path: Buffer, typeflag: number, size: number, link: Buffer, paxed: boolean): Buffer {
  const block = Buffer.alloc(BLOCK);
  const split = paxed ? null : splitUstarPath(path);
  if (split) {
    writeString(block, 0, 100, split.name);
    writeString(block, 345, 155, split.prefix);
  } else {
    // The pax record carries the real path; the ustar field keeps a readable truncation.
    writeString(block, 0, 100, path.subarray(0, 100));
  }
  writeOctal(block, 100, 8, h.mode & 0o7777);
  writeOctal(block, 108, 8, Math.min(h.uid ?? 0, MAX_OCTAL_7));
  writeOctal(block, 116, 8, Math.min(h.gid ?? 0, MAX_OCTAL_7));
  writeOctal(block, 124, 12, size > MAX_OCTAL_11 ? 0 : size);
  writeOctal(block, 136, 12, Math.max(0, Math.min(h.mtime, MAX_OCTAL_11)));
  block[156] = typeflag;
  writeString(block, 157, 100, link);
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i];
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1');
  return block;
}

/** Header block(s) for one entry: a pax 'x' entry first when needed, then the ustar block. */
export function tarHeader(h: TarHeader): Buffer {
  const pathText = h.type === 'directory' ? `${h.path}/` : h.path;
  const path = Buffer.from(pathText, 'utf8');
  const link = Buffer.from(h.linkTarget ?? '', 'utf8');
  const size = h.type === 'file' ? (h.size ?? 0) : 0;
  const records: string[] = [];
  if (!splitUstarPath(path)) records.push(paxRecord('path', pathText));
  if (link.length > 100) records.push(paxRecord('linkpath', h.linkTarget ?? ''));
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', String(size)));
  if ((h.uid ?? 0) > MAX_OCTAL_7) records.push(paxRecord('uid', String(h.uid)));
  if ((h.gid ?? 0) > MAX_OCTAL_7) records.push(paxRecord('gid', String(h.gid)));
  const main = ustarBlock(h, path, TYPEFLAG[h.type], size, link.subarray(0, 100), records.some((r) => r.includes(' path=')));
  if (records.length === 0) return main;
  const data = Buffer.from(records.join(''), 'utf8');
  const base = path.subarray(Math.max(0, path.lastIndexOf(0x2f, path.length - 2) + 1)).toString('utf8').slice(0, 80);
  const paxHeader = ustarBlock(
    { path: `PaxHeader/${base}`, type: 'file', mode: 0o644, mtime: h.mtime },
    Buffer.from(`PaxHeader/${base}`.slice(0, 99), 'utf8'), 0x78, data.length, Buffer.alloc(0), false);
  return Buffer.concat([paxHeader, data, Buffer.alloc(padding(data.length)), main]);
}

/** Zero bytes needed after `size` bytes of data to reach the next block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
