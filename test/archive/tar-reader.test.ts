// The one tar reader: what GNU tar writes reads back the same, and every bound holds before
// a byte past the offending header is taken.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TarReader, TAR_LIMITS, type TarEntry } from '../../src/archive/tar-reader.ts';
import { rawHeader, rawEntry, paxRecord, END } from '../helpers/raw-tar.ts';
import { tempDir } from '../helpers/daemon.ts';

interface Read { entries: TarEntry[]; data: Map<string, Buffer> }

/** Reads `tar` pushed in pieces of `cut` bytes. */
function read(tar: Buffer, cut = 7919): Read {
  const entries: TarEntry[] = [];
  const data = new Map<string, Buffer>();
  let current: Buffer[] = [];
  const reader = new TarReader({
    entry: (e) => { entries.push(e); current = []; },
    data: (piece) => current.push(Buffer.from(piece)),
    entryEnd: () => data.set(entries[entries.length - 1]!.path, Buffer.concat(current)),
  });
  for (let off = 0; off < tar.length; off += cut) reader.push(tar.subarray(off, off + cut));
  reader.end();
  return { entries, data };
}

const corrupt = { code: 'AGENT_E_ARCHIVE_CORRUPT' };

t.test('GNU tar archives, gnu and pax formats, read as GNU tar lists them', async (t) => {
  const dir = tempDir(t, 'hostagent-tar-reader-');
  const src = path.join(dir, 'src');
  const long = `${'d'.repeat(120)}/${'f'.repeat(150)}.txt`;
  fs.mkdirSync(path.join(src, 'd'.repeat(120)), { recursive: true });
  fs.writeFileSync(path.join(src, long), 'long');
  fs.writeFileSync(path.join(src, 'été.txt'), 'utf8 name');
  fs.symlinkSync(`/${'t'.repeat(180)}`, path.join(src, 'link'));
  fs.linkSync(path.join(src, long), path.join(src, 'hard'));
  for (const format of ['gnu', 'pax'] as const) {
    const file = path.join(dir, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', file, '.']);
    const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/\/+$/, ''));
    const { entries, data } = read(fs.readFileSync(file));
    t.same(entries.map((e) => e.path), listed, `${format}: the same paths, in the same order`);
    t.equal(data.get(`./${long}`)?.toString(), 'long', `${format}: a 275-byte path and its data`);
    const link = entries.find((e) => e.path === './link')!;
    t.match(link, { type: 'symlink', linkPath: `/${'t'.repeat(180)}` }, `${format}: a 181-byte link target`);
    t.ok(entries.some((e) => e.type === 'hardlink' && [`./${long}`, './hard'].includes(e.linkPath)), `${format}: a hard link to a long path`);
    t.ok(entries.some((e) => e.path === './été.txt'), `${format}: a UTF-8 name`);
  }
});

t.test('a pax global header applies to the entries after it', async (t) => {
  const g = Buffer.from(paxRecord('mtime', '1234'));
  const tar = Buffer.concat([rawEntry({ name: 'g', type: 'g' }, g), rawEntry({ name: 'a' }, 'x'), END]);
  t.equal(read(tar).entries[0]!.mtime, 1234);
});

t.test('a pax header declaring 1 GiB is refused on its header block, before its body', async (t) => {
  const reader = new TarReader({ entry: () => t.fail('no entry') });
  t.throws(() => reader.push(rawHeader({ name: 'PaxHeader/x', type: 'x', size: 2 ** 30 })), corrupt);
});

t.test('a real pax header over 1 MiB, and pax headers adding up past 1 MiB, are refused', async (t) => {
  const big = Buffer.from(paxRecord('comment', 'c'.repeat(2 << 20)));
  t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, big), rawEntry({ name: 'a' }), END])), corrupt);
  const half = Buffer.from(paxRecord('comment', 'c'.repeat(600 << 10)));
  const two = Buffer.concat([rawEntry({ name: 'p', type: 'x' }, half), rawEntry({ name: 'p', type: 'x' }, half), rawEntry({ name: 'a' }), END]);
  t.throws(() => read(two), corrupt, 'two headers for one entry count together');
  const globals = Buffer.concat([rawEntry({ name: 'g', type: 'g' }, half), rawEntry({ name: 'a' }), rawEntry({ name: 'g', type: 'g' }, half), END]);
  t.throws(() => read(globals), corrupt, 'global headers count together for the whole archive');
  t.equal(read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, half), rawEntry({ name: 'a' }), rawEntry({ name: 'p', type: 'x' }, half), rawEntry({ name: 'b' }), END])).entries.length, 2,
    'headers for different entries do not add up');
});

t.test('a GNU long name or link declaring more than the path bound is refused on its header', async (t) => {
  for (const type of ['L', 'K']) {
    const reader = new TarReader({ entry: () => t.fail('no entry') });
    t.throws(() => reader.push(rawHeader({ name: '././@LongLink', type, size: 8 ** 11 - 1 })), corrupt, `${type}: 8 GiB claimed`);
  }
  const tooLong = Buffer.from(`${'a'.repeat(TAR_LIMITS.maxPathBytes + 1)}\0`);
  t.throws(() => read(Buffer.concat([rawEntry({ name: '././@LongLink', type: 'L' }, tooLong), rawEntry({ name: 'a' }), END])), corrupt, 'a real long name one byte too long');
  const fits = Buffer.from(`${'a'.repeat(TAR_LIMITS.maxPathBytes)}\0`);
  t.equal(read(Buffer.concat([rawEntry({ name: '././@LongLink', type: 'L' }, fits), rawEntry({ name: 'a' }), END])).entries[0]!.path.length, TAR_LIMITS.maxPathBytes, 'a long name at the bound reads');
});

t.test('a pax path or linkpath longer than the bound is refused', async (t) => {
  for (const key of ['path', 'linkpath']) {
    const pax = Buffer.from(paxRecord(key, 'p'.repeat(TAR_LIMITS.maxPathBytes + 1)));
    t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, pax), rawEntry({ name: 'a', type: '2' }), END])), corrupt, key);
  }
});

t.test('malformed headers are AGENT_E_ARCHIVE_CORRUPT', async (t) => {
  const good = rawEntry({ name: 'a' }, 'data');
  const badSum = rawEntry({ name: 'a', checksum: '0000001\0' }, 'data');
  t.throws(() => read(Buffer.concat([badSum, END])), corrupt, 'a bad checksum');
  const nonOctal = rawHeader({ name: 'a', size: 0 });
  nonOctal.write('00000000x09', 124, 'latin1');
  let sum = 0;
  nonOctal.fill(0x20, 148, 156);
  for (const x of nonOctal) sum += x;
  nonOctal.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  t.throws(() => read(Buffer.concat([nonOctal, END])), corrupt, 'a non-octal size');
  t.throws(() => read(good.subarray(0, 300)), corrupt, 'a truncated header');
  t.throws(() => read(good), corrupt, 'no end-of-archive marker');
  t.throws(() => read(Buffer.concat([good, END, good])), corrupt, 'data after the end marker');
  t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, '9 path\n'), rawEntry({ name: 'a' }), END])), corrupt, 'a pax record without =');
  t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, '99 path=a\n'), rawEntry({ name: 'a' }), END])), corrupt, 'a pax record overrunning its header');
  t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, paxRecord('size', '1e9')), rawEntry({ name: 'a' }), END])), corrupt, 'a pax size that is not decimal');
  t.throws(() => read(Buffer.concat([rawEntry({ name: 'p', type: 'x' }, paxRecord('path', 'x')), END])), corrupt, 'an extended header with no entry after it');
});

t.test('the entry count is bounded', async (t) => {
  const entries = Array.from({ length: 11 }, (_, i) => rawEntry({ name: `e${i}` }));
  const reader = new TarReader({ entry: () => {} }, { maxEntries: 10 });
  t.throws(() => reader.push(Buffer.concat([...entries, END])), corrupt);
  t.equal(reader.entries, 11, 'the eleventh entry was refused');
});
