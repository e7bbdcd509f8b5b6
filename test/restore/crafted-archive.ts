// Hand-built hostile archives: raw ustar headers, so any name, type or mode can be written.
// Each passes the integrity check (manifest.json first, SHA256SUMS last and correct), which
// is what makes it a test of the extractor rather than of the verifier.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';

export interface CraftedEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';
  mode?: number;
  link?: string;
  data?: string | Buffer;
  mtime?: number;
}

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' } as const;

function header(e: CraftedEntry, size: number): Buffer {
  const b = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => b.write(s, off, len, 'utf8');
  const num = (n: number, off: number, len: number) => put(n.toString(8).padStart(len - 1, '0'), off, len - 1);
  put(e.name, 0, 100);
  num(e.mode ?? (e.type === 'dir' ? 0o755 : 0o644), 100, 8);
  num(0, 108, 8);
  num(0, 116, 8);
  num(size, 124, 12);
  num(e.mtime ?? 1_700_000_000, 136, 12);
  b.fill(0x20, 148, 156);
  put(TYPEFLAG[e.type ?? 'file'], 156, 1);
  if (e.link) put(e.link, 157, 100);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const x of b) sum += x;
  put(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8);
  return b;
}

/** A gzip'd tar of `entries` between a manifest and a correct SHA256SUMS. */
export function craftArchive(file: string, entries: CraftedEntry[], manifest: { username?: string; parts?: string[] } = {}): void {
  const blocks: Buffer[] = [];
  const sums: string[] = [];
  const add = (e: CraftedEntry) => {
    const data = e.type === undefined || e.type === 'file' ? Buffer.from(e.data ?? '') : Buffer.alloc(0);
    blocks.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
    if ((e.type ?? 'file') === 'file' && e.name !== 'SHA256SUMS') sums.push(`${createHash('sha256').update(data).digest('hex')}  ${e.name}\n`);
  };
  add({ name: 'manifest.json', data: JSON.stringify({ format: 'hostagent-account-full/1', kind: 'account_full', username: manifest.username ?? 'crafted', snapshotId: 'crafted', createdAt: new Date().toISOString(), parts: manifest.parts ?? ['files'] }) });
  for (const e of entries) add(e);
  add({ name: 'SHA256SUMS', data: sums.join('') });
  blocks.push(Buffer.alloc(1024));
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(blocks)));
}
