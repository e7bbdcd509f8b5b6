// SHA256SUMS checked as it streams: any cut of its text gives the same verdict.
import t from 'tap';
import { createHash } from 'node:crypto';
import { SumsMatcher } from '../../src/archive/sums-matcher.ts';
import { sha256sumLine } from '../../src/archive/checksums.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();
const files = { 'files/a': 'A', 'files/b\nc': 'B', 'files/d\\e': 'D' };

function check(text: string, cut: number, read: Record<string, string> = files): void {
  const m = new SumsMatcher(new Map(Object.entries(read).map(([p, d]) => [p, digest(d).toString('binary')])));
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length; off += cut) m.push(bytes.subarray(off, off + cut));
  m.end();
}

const good = Object.entries(files).map(([p, d]) => sha256sumLine(digest(d).toString('hex'), p)).join('');
const corrupt = { code: 'AGENT_E_ARCHIVE_CORRUPT' };

t.test('every file listed with its checksum passes, in any cut and with escaped names', async (t) => {
  for (const cut of [1, 7, 64, 1 << 20]) t.doesNotThrow(() => check(good, cut), `pieces of ${cut}`);
  t.doesNotThrow(() => check(good.slice(0, -1), 5), 'no newline after the last line');
});

t.test('what does not match is AGENT_E_ARCHIVE_CORRUPT', async (t) => {
  const lines = good.split(/(?<=\n)(?=[0-9a-f\\])/);
  t.throws(() => check(lines.slice(1).join(''), 3), corrupt, 'a file missing from SHA256SUMS');
  t.throws(() => check(good + sha256sumLine('0'.repeat(64), 'files/z'), 3), corrupt, 'a line for a file the archive lacks');
  t.throws(() => check(good.replace(digest('A').toString('hex'), digest('X').toString('hex')), 3), corrupt, 'a wrong checksum');
  t.throws(() => check(good + lines[0], 3), corrupt, 'a file listed twice');
  t.throws(() => check(`${good}not a line\n`, 3), corrupt, 'a malformed line');
  t.throws(() => check(`${good}${'x'.repeat(20_000)}`, 4096), corrupt, 'a line longer than any path makes');
});
