// A gzip bomb handed to snapshot.import: a well-formed account archive whose one file is 2 GiB
// of zeros, about 2 MiB gzip'd. Import decompresses it only to check it; it is refused with
// AGENT_E_ARCHIVE_EXPANSION once its tar stream passes archive.maxExpansionRatio (default 200)
// times its compressed size, instead of being read (and registered) whole. The account model
// has no disk quota (the package's tenantBackups.maxBytes bounds on-demand snapshots, not
// imports by an admin), so the ratio is the bound.
import t from 'tap';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { rawHeader, pad, rawEntry, manifestJson, END } from '../helpers/raw-tar.ts';
import { importTarget, importOutcome, writeGzip, MiB } from './import-bomb.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();
t.setTimeout(600_000);

const RSS_GROWTH = 100 * MiB;

/** An account archive whose one file, files/zeros, is `bytes` zero bytes. */
async function zerosArchive(file: string, bytes: number): Promise<number> {
  const zeros = createHash('sha256');
  const block = Buffer.alloc(MiB);
  for (let left = bytes; left > 0; left -= MiB) zeros.update(left >= MiB ? block : block.subarray(0, left));
  const manifest = manifestJson();
  const head = rawEntry({ name: 'manifest.json' }, manifest);
  const sums = `${createHash('sha256').update(manifest).digest('hex')}  manifest.json\n${zeros.digest('hex')}  files/zeros\n`;
  return writeGzip(file, [
    head, rawHeader({ name: 'files/zeros', size: bytes }), { byte: 0, bytes }, pad(Buffer.alloc(bytes % 512)),
    rawEntry({ name: 'SHA256SUMS' }, sums), END,
  ]);
}

t.test('a gzip bomb is refused on import once it expands past the ratio; nothing registered or left', async (t) => {
  const target = await importTarget(t);
  const bomb = path.join(target.work, 'bomb.tar.gz');
  const compressed = await zerosArchive(bomb, 2 * 2 ** 30);
  const fine = path.join(target.work, 'zeros-32mib.tar.gz');
  await zerosArchive(fine, 32 * MiB);
  t.comment(`the bomb: 2 GiB of tar in ${(compressed / MiB).toFixed(1)} MiB of gzip, a ratio of ${(2 * 2 ** 30 / compressed).toFixed(0)}`);
  // An ordinary import first, so that the peak before the bomb includes reading an archive.
  t.equal(await importOutcome(target.admin, fine), 'imported', 'the same shape expanding within the 64 MiB floor imports');
  const registered = await target.registered();
  const before = target.peakRss();
  const spool = target.spool();
  const started = Date.now();
  t.equal(await importOutcome(target.admin, bomb), 'AGENT_E_ARCHIVE_EXPANSION', 'refused as a decompression bomb');
  t.comment(`refused after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const after = target.peakRss();
  t.comment(`daemon VmHWM ${(before / MiB).toFixed(0)} MiB before, ${(after / MiB).toFixed(0)} MiB after`);
  t.ok(after - before < RSS_GROWTH, `the daemon's peak RSS grew by ${((after - before) / MiB).toFixed(0)} MiB, under ${RSS_GROWTH / MiB} MiB`);
  t.equal(await target.registered(), registered, 'nothing registered');
  t.same(target.spool(), spool, 'the spool is as it was');
});
