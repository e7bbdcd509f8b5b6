// An archive of 10^6 one-byte files (1 GiB of tar) imported through the daemon: the one tar
// reader holds nothing per entry, and verify keeps one path and binary checksum per regular
// file (to match SHA256SUMS, the last entry), so the daemon's memory grows with the number of
// files, never with a header's claims; SHA256SUMS is checked line by line as it is read.
// Time and peak RSS are reported, not asserted as speed; the assertion is the bound below.
import t from 'tap';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { rawEntry, manifestJson, END } from '../helpers/raw-tar.ts';
import { importTarget, importOutcome, writeGzip, MiB } from './import-bomb.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();
t.setTimeout(900_000);

const ENTRIES = 1_000_000;
// 1 GiB of tar and 86 MiB of SHA256SUMS: holding either passes this. Measured: about 320 MiB
// (a path and a checksum per file); holding SHA256SUMS whole as text and lines took 512 MiB.
const RSS_GROWTH = 448 * MiB;

const nameOf = (i: number) => `files/d${Math.floor(i / 1000)}/f${i % 1000}`;

function* tinyEntries(manifest: string): Generator<Buffer> {
  yield rawEntry({ name: 'manifest.json' }, manifest);
  for (let i = 0; i < ENTRIES; i += 1000) {
    const batch: Buffer[] = [];
    for (let j = i; j < i + 1000; j++) batch.push(rawEntry({ name: nameOf(j) }, 'x'));
    yield Buffer.concat(batch);
  }
  const x = createHash('sha256').update('x').digest('hex');
  const lines = [`${createHash('sha256').update(manifest).digest('hex')}  manifest.json\n`];
  for (let i = 0; i < ENTRIES; i++) lines.push(`${x}  ${nameOf(i)}\n`);
  yield rawEntry({ name: 'SHA256SUMS' }, lines.join(''));
  yield END;
}

t.test(`${ENTRIES} tiny entries import with bounded memory`, async (t) => {
  // The default archive.maxExpansionRatio: a tree of small files expands about 60 times.
  const target = await importTarget(t);
  const archive = path.join(target.work, 'million.tar.gz');
  const compressed = await writeGzip(archive, tinyEntries(manifestJson({ username: 'victim' })), 1);
  const before = target.peakRss();
  const started = process.hrtime.bigint();
  t.equal(await importOutcome(target.admin, archive), 'imported', 'the archive imports');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = target.peakRss();
  t.comment(`${ENTRIES} entries, ${(compressed / MiB).toFixed(0)} MiB gzip'd: imported in ${seconds.toFixed(1)} s; daemon VmHWM ${(before / MiB).toFixed(0)} MiB before, ${(after / MiB).toFixed(0)} MiB after`);
  t.ok(after - before < RSS_GROWTH, `the daemon's peak RSS grew by ${((after - before) / MiB).toFixed(0)} MiB, under ${RSS_GROWTH / MiB} MiB`);
  t.equal(await target.registered(), 1, 'registered once');
});
