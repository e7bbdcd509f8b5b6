// Tar blocks built by hand, so a test can write any typeflag, claimed size or field, including
// the ones a hostile archive would hold.
import { createHash } from 'node:crypto';

export interface RawHeader {
  name: string;
  /** The typeflag character: '0' file, '5' directory, 'x'/'g' pax, 'L'/'K' GNU long name/link. */
  type?: string;
  /** The size field; it need not match the data that follows. */
  size: number;
  mode?: number;
  link?: string;
  /** The checksum field as written; by default the correct one. */
  checksum?: string;
}

/** One 512-byte ustar header. */
export function rawHeader(h: RawHeader): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  b.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${h.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write(`${(1_700_000_000).toString(8)}\0`, 136, 'latin1');
  b.write(h.type ?? '0', 156, 'latin1');
  if (h.link) b.write(h.link, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(h.checksum ?? `${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/** Zero bytes up to the next block. */
export function pad(data: Buffer): Buffer {
  return Buffer.alloc((512 - (data.length % 512)) % 512);
}

/** A header with its data and padding. */
export function rawEntry(h: Omit<RawHeader, 'size'>, data: Buffer | string = ''): Buffer {
  const body = Buffer.from(data);
  return Buffer.concat([rawHeader({ ...h, size: body.length }), body, pad(body)]);
}

/** One pax record, "<len> key=value\n", its length counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(body);
  let len = n + 1;
  while (String(len).length + n !== len) len++;
  return `${len}${body}`;
}

export const END = Buffer.alloc(1024);

/** An account_full manifest; `fields` override its defaults. */
export function manifestJson(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'hostagent-account-full/1', kind: 'account_full', username: 'crafted', snapshotId: 'crafted', createdAt: new Date().toISOString(), parts: ['files'], ...fields });
}

/** A tar stream shaped like an account_full archive: manifest first, SHA256SUMS (correct) last. */
export function accountTar(entries: Buffer[], files: { name: string; data: Buffer | string }[] = [], manifest: Record<string, unknown> = {}): Buffer {
  const m = manifestJson(manifest);
  const sums = [m, ...files.map((f) => f.data)].map((d, i) => `${createHash('sha256').update(d).digest('hex')}  ${i === 0 ? 'manifest.json' : files[i - 1]!.name}\n`).join('');
  return Buffer.concat([rawEntry({ name: 'manifest.json' }, m), ...entries, ...files.map((f) => rawEntry({ name: f.name }, f.data)), rawEntry({ name: 'SHA256SUMS' }, sums), END]);
}
