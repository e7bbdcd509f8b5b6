// verifyArchive's bound on the decompressed stream, for gzip and zstd alike: an archive whose
// tar stream passes maxTarBytes is AGENT_E_ARCHIVE_EXPANSION; the same archive unbounded verifies.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { verifyArchive } from '../../src/archive/index.ts';
import { rawHeader, rawEntry, manifestJson, END } from '../helpers/raw-tar.ts';
import { tempDir } from '../helpers/daemon.ts';

const MiB = 2 ** 20;
const ZEROS = 256 * MiB;

/** manifest.json, files/zeros (ZEROS zero bytes), SHA256SUMS: a valid archive. */
function* zerosTar(): Generator<Buffer> {
  const manifest = manifestJson();
  yield rawEntry({ name: 'manifest.json' }, manifest);
  yield rawHeader({ name: 'files/zeros', size: ZEROS });
  const block = Buffer.alloc(8 * MiB);
  const zeros = createHash('sha256');
  for (let left = ZEROS; left > 0; left -= block.length) { zeros.update(block); yield block; }
  yield rawEntry({ name: 'SHA256SUMS' }, `${createHash('sha256').update(manifest).digest('hex')}  manifest.json\n${zeros.digest('hex')}  files/zeros\n`);
  yield END;
}

t.test('a stream expanding past maxTarBytes is refused, gzip and zstd', async (t) => {
  const dir = tempDir(t, 'hostagent-expansion-');
  for (const [name, compressor] of [['a.tar.gz', () => zlib.createGzip()], ['a.tar.zst', () => zlib.createZstdCompress()]] as const) {
    const file = path.join(dir, name);
    await pipeline(zerosTar(), compressor(), fs.createWriteStream(file));
    await t.rejects(verifyArchive(file, { maxTarBytes: 64 * MiB }), { code: 'AGENT_E_ARCHIVE_EXPANSION' }, `${name}: refused past 64 MiB`);
    t.match(await verifyArchive(file), { files: 1, entries: 3 }, `${name}: verifies without the bound`);
  }
});
