// The parallel gzip member decoder gives exactly what serial gunzip gives for our members
// (compressed and stored, with header look-alikes inside stored data), and refuses what it
// cannot cut safely: other writers' headers, truncation, damage, trailing bytes.
import t from 'tap';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { makeCodec } from '../../src/archive/codec.ts';
import { inflateMembers } from '../../src/archive/gzip-members.ts';

const codec = makeCodec('gzip');
const LOOKALIKE = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

async function members(): Promise<{ gz: Buffer; plain: Buffer }> {
  const inputs = [
    Buffer.from('<?php echo "hello";\n'.repeat(40000)), // compressed member
    Buffer.concat([randomBytes(300_000), LOOKALIKE, randomBytes(1000), LOOKALIKE]), // stored, holding header look-alikes
    Buffer.from('x'.repeat(5)),
    Buffer.concat([LOOKALIKE, Buffer.from('text after a look-alike '.repeat(5000))]), // compressed, look-alike in its input
    randomBytes(200_000),
  ];
  const out: Buffer[] = [];
  for (const [i, input] of inputs.entries()) out.push(...(i === 1 || i === 4 ? codec.store([input], input.length) : await codec.compress(input)));
  return { gz: Buffer.concat(out), plain: Buffer.concat(inputs) };
}

async function decode(gz: Buffer, piece = 65536, inFlight?: number, checkCrc = true): Promise<Buffer> {
  async function* pieces() { for (let i = 0; i < gz.length; i += piece) yield gz.subarray(i, i + piece); }
  const out: Buffer[] = [];
  for await (const b of inflateMembers(pieces(), { inFlight, checkCrc })) out.push(b);
  return Buffer.concat(out);
}

t.test('members decode in order, whatever the input piece size', async (t) => {
  const { gz, plain } = await members();
  t.ok(zlib.gunzipSync(gz).equals(plain), 'serial gunzip agrees with the input');
  for (const piece of [7, 4096, 1 << 20, gz.length]) {
    t.ok((await decode(gz, piece)).equals(plain), `pieces of ${piece} bytes`);
  }
  t.ok((await decode(gz, 65536, 1)).equals(plain), 'one member at a time');
  t.same(await decode(Buffer.alloc(0)), Buffer.alloc(0), 'nothing in, nothing out');
});

t.test('what cannot be cut safely is refused', async (t) => {
  const { gz } = await members();
  const refused = (b: Buffer, what: string) => t.rejects(decode(b), { name: 'NotMemberShaped' }, what);
  await refused(zlib.gzipSync(Buffer.from('a'), { level: 6 }).fill(8, 3, 4), 'a header with flags (another writer)');
  await refused(gz.subarray(0, gz.length - 3), 'truncated');
  await refused(gz.subarray(0, 5), 'truncated inside the first header');
  const flipped = Buffer.from(gz);
  flipped[200] ^= 0x55;
  await refused(flipped, 'a flipped bit in a compressed member');
  const storedFlip = Buffer.from(gz);
  storedFlip[gz.length - 1000] ^= 0x01;
  await refused(storedFlip, 'a flipped bit in a stored member (CRC)');
  t.not((await decode(storedFlip, 65536, undefined, false)).length, 0, 'unless the caller checks a whole-input sha256 instead');
  await refused(Buffer.concat([gz, Buffer.from('trailing')]), 'trailing bytes');
  await refused(Buffer.concat([gz.subarray(0, 100), LOOKALIKE, gz.subarray(100)]), 'a look-alike planted inside compressed data');
  await refused(zlib.gzipSync(randomBytes(20 << 20), { level: 1 }), 'one stored member longer than our writer makes (never held whole)');
  await refused(zlib.gzipSync(Buffer.from(randomBytes(20 << 20).toString('hex')), { level: 1 }), 'one compressed member longer than our writer makes');
});
