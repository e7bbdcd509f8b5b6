// The codecs keep their compressors from chunk to chunk. Whatever the order in which chunks
// finish, and with more chunks in flight than compressors kept, every chunk's member or frame
// holds exactly that chunk: GNU gzip and zstd decode each one alone, and all of them in a row.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { makeCodec, type Compression } from '../../src/archive/codec.ts';

const TOOLS: Record<Compression, string[]> = { gzip: ['gzip', '-dc'], zstd: ['zstd', '-dcq'] };

function decode(name: Compression, data: Buffer): Buffer {
  const [cmd, ...args] = TOOLS[name];
  return execFileSync(cmd, args, { input: data, maxBuffer: 64 << 20 });
}

function chunks(): Buffer[] {
  return Array.from({ length: 12 }, (_v, i) => (i % 3 === 2
    ? Buffer.from(`chunk ${i} `.repeat(i * 4000 + 1))
    : Buffer.concat([Buffer.from(`<?php // chunk ${i}\n`.repeat(20000)), randomBytes(1000 * i)])));
}

for (const name of ['gzip', 'zstd'] as const) {
  t.test(`${name}: chunks compressed at once decode to themselves`, async (t) => {
    const codec = makeCodec(name);
    const inputs = chunks();
    const outputs = await Promise.all(inputs.map((input) => codec.compress(input)));
    for (const [i, pieces] of outputs.entries()) {
      t.ok(decode(name, Buffer.concat(pieces)).equals(inputs[i]), `chunk ${i} alone`);
    }
    t.ok(decode(name, Buffer.concat(outputs.flat())).equals(Buffer.concat(inputs)), 'all in a row');
    // One after another, each reusing a compressor a previous chunk ended on.
    const again = [];
    for (const input of inputs.slice(0, 3)) again.push(...await codec.compress(input));
    t.ok(decode(name, Buffer.concat(again)).equals(Buffer.concat(inputs.slice(0, 3))), 'serial reuse');
    codec.close();
  });
}
