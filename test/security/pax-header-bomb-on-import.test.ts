// A pax extended header claiming 1 GiB, its gigabyte of record really there (it compresses to
// about 1 MiB), handed to snapshot.import. A reader that gathers what a header declares before
// judging it took the daemon's RSS up by about 2 GiB; the one tar reader refuses the header on
// its declared size, so the daemon's peak RSS stays within RSS_GROWTH of what it was.
// A real 2 MiB pax record is refused the same way. Nothing is registered or left in the spool.
import t from 'tap';
import path from 'node:path';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { rawHeader, rawEntry, paxRecord, accountTar, manifestJson, END } from '../helpers/raw-tar.ts';
import { importTarget, importOutcome, writeGzip, MiB } from './import-bomb.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();
t.setTimeout(600_000);

const GiB = 2 ** 30;
// Decompression, hashing and one archive chunk in flight; the attack added 2048 MiB.
const RSS_GROWTH = 100 * MiB;

t.test('pax headers over 1 MiB are refused on import without the daemon growing', async (t) => {
  // The ratio bound is lifted so that this tests the tar reader's bound alone.
  const target = await importTarget(t, { archive: { maxExpansionRatio: 1_000_000 } });
  const head = rawEntry({ name: 'manifest.json' }, manifestJson());
  const prefix = Buffer.from(`${GiB} comment=`);
  const bomb = path.join(target.work, 'pax-1gib.tar.gz');
  const compressed = await writeGzip(bomb, [
    head, rawHeader({ name: 'PaxHeader/bomb', type: 'x', size: GiB }),
    prefix, { byte: 0x63, bytes: GiB - prefix.length - 1 }, Buffer.from('\n'),
    rawEntry({ name: 'files', type: '5' }), END,
  ]);
  t.comment(`the 1 GiB pax bomb is ${(compressed / MiB).toFixed(1)} MiB gzip'd`);
  const realRecord = path.join(target.work, 'pax-2mib.tar.gz');
  await writeGzip(realRecord, [accountTar([rawEntry({ name: 'PaxHeader/big', type: 'x' }, paxRecord('comment', 'c'.repeat(2 * MiB))), rawEntry({ name: 'files', type: '5' })])]);
  const fine = path.join(target.work, 'pax-ordinary.tar.gz');
  await writeGzip(fine, [accountTar([rawEntry({ name: 'PaxHeader/ok', type: 'x' }, paxRecord('path', `files/${'n'.repeat(300)}`)), rawEntry({ name: 'files/n', type: '5' })])]);

  // An ordinary import first, so that the peak before the bombs includes reading an archive.
  t.equal(await importOutcome(target.admin, fine), 'imported', 'an archive with an ordinary pax header imports');
  const registered = await target.registered();
  const before = target.peakRss();
  const spool = target.spool();
  t.equal(await importOutcome(target.admin, bomb), 'AGENT_E_ARCHIVE_CORRUPT', 'a pax header claiming 1 GiB is refused as corrupt');
  t.equal(await importOutcome(target.admin, realRecord), 'AGENT_E_ARCHIVE_CORRUPT', 'a real 2 MiB pax record is refused as corrupt');
  const after = target.peakRss();
  t.comment(`daemon VmHWM ${(before / MiB).toFixed(0)} MiB before the bombs, ${(after / MiB).toFixed(0)} MiB after`);
  t.ok(after - before < RSS_GROWTH, `the daemon's peak RSS grew by ${((after - before) / MiB).toFixed(0)} MiB, under ${RSS_GROWTH / MiB} MiB`);
  t.equal(await target.registered(), registered, 'nothing registered');
  t.same(target.spool(), spool, 'nothing left in the spool');
});
