// Random and mutated archives handed to snapshot.import, and every one that imports restored in
// place into a tenant's home, against one daemon process. The mutations start from a real
// snapshot's tar stream: header fields (names, sizes, modes, types, link targets, checksums)
// overwritten with random or extreme values, pax records of random and oversized lengths, cuts
// at random points, random bytes; each is gzip'd again, so the tar reader sees it, not only the
// gzip CRC. After each: the daemon answers agent.status, nothing beside the home changed, and
// its memory stays under a stated bound.
//
// Deterministic: HOSTAGENT_FUZZ_SEED=<n> replays a run (the seed is printed).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { RpcClient, RpcCallError } from '../../src/client/index.ts';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';
import { backupAndWait, waitForJob } from '../helpers/backup-flow.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users and restore as them')) t.end();

const SEED = Number(process.env.HOSTAGENT_FUZZ_SEED ?? 0xa5c41e) >>> 0;
const CASES = Number(process.env.HOSTAGENT_FUZZ_ARCHIVES ?? 80);
// The daemon idles near 150 MiB; a reader that buffered what a header claims would pass this.
const RSS_LIMIT = 512 * 2 ** 20;
t.setTimeout(600_000);
t.comment(`archive fuzz seed ${SEED} (replay with HOSTAGENT_FUZZ_SEED=${SEED})`);

/** xorshift32: small, seedable, the same on every machine. */
function prng(seed: number) {
  let x = seed || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]! };
}

/** Offsets of the tar headers in an uncompressed stream. */
function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) break;
    out.push(off);
    const size = parseInt(tar.toString('latin1', off + 124, off + 136).replace(/\0.*$/, '').trim() || '0', 8);
    off += 512 + Math.ceil((Number.isFinite(size) ? size : 0) / 512) * 512;
  }
  return out;
}

const FIELDS = { name: [0, 100], mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12], chksum: [148, 8], type: [156, 1], linkname: [157, 100], prefix: [345, 155] } as const;
const EXTREMES = ['', '0', '7777777', '77777777777', '\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff', '../../../../tmp/x', '/etc/passwd', 'a'.repeat(100), '\0', 'L', 'K', 'x', 'g', '1', '2', '3', '4', '6', '7'];

function paxHeader(body: Buffer, type: 'x' | 'g' | 'L' = 'x', claimedSize = body.length): Buffer {
  const h = Buffer.alloc(512);
  h.write('././@PaxHeader', 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write(claimedSize.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function mutate(tar: Buffer, r: ReturnType<typeof prng>): { bytes: Buffer; what: string } {
  const headers = headerOffsets(tar);
  const kind = r.int(7);
  const b = Buffer.from(tar);
  const at = r.pick(headers);
  switch (kind) {
    case 0: {
      const [field, [off, len]] = r.pick(Object.entries(FIELDS));
      const v = Buffer.from(r.pick(EXTREMES), 'latin1');
      b.fill(0, at + off, at + off + len);
      v.copy(b, at + off, 0, Math.min(len, v.length));
      return { bytes: zlib.gzipSync(b), what: `header ${at}: ${field} = ${JSON.stringify(v.toString('latin1')).slice(0, 40)}` };
    }
    case 1: {
      for (let i = 0; i < 1 + r.int(8); i++) b[at + r.int(512)] = r.int(256);
      return { bytes: zlib.gzipSync(b), what: `header ${at}: random bytes` };
    }
    case 2: {
      const claimed = r.pick([0, 1, 511, 1 << 20, (1 << 20) + 1, 2 ** 30, 8 ** 11 - 1]);
      const body = Buffer.from(`${r.int(99999)} path=${'p'.repeat(r.int(300))}\n`);
      const type = r.pick(['x', 'g', 'L'] as const);
      return { bytes: zlib.gzipSync(Buffer.concat([b.subarray(0, at), paxHeader(body, type, claimed), b.subarray(at)])), what: `${type} record claiming ${claimed} before header ${at}` };
    }
    case 3: {
      const cut = r.int(b.length);
      return { bytes: zlib.gzipSync(b.subarray(0, cut)), what: `tar cut at ${cut}` };
    }
    case 4: {
      const gz = zlib.gzipSync(b);
      const cut = 10 + r.int(gz.length - 10);
      return { bytes: gz.subarray(0, cut), what: `gzip cut at ${cut}` };
    }
    case 5: {
      const n = 512 + r.int(64 * 1024);
      const junk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) junk[i] = r.int(256);
      return { bytes: r.int(2) ? zlib.gzipSync(junk) : junk, what: `${n} random bytes` };
    }
    default: {
      // Two headers swapped: a manifest that is not first, SHA256SUMS in the middle.
      const other = r.pick(headers);
      const h1 = Buffer.from(b.subarray(at, at + 512));
      b.subarray(other, other + 512).copy(b, at);
      h1.copy(b, other);
      return { bytes: zlib.gzipSync(b), what: `headers ${at} and ${other} swapped` };
    }
  }
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

t.test('mutated archives through snapshot.import and restore: the daemon answers, nothing outside changes, memory bounded', async (t) => {
  const parent = sharedTempDir(t);
  const tenant = await makeTenant(t, { profile: 'small', parent });
  const dir = tempDir(t, 'hostagent-fuzz-archive-');
  writeDevConfig(dir, { restore: { safetySnapshot: false } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const pid = d.child.pid!;
  const status = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const admin = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  t.teardown(() => admin.close());
  await admin.call('account.put', { name: 'fuzzed', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const { snapshot } = await backupAndWait(admin, { account: 'fuzzed', scope: 'hosting' });
  const tar = zlib.gunzipSync(fs.readFileSync(snapshot.path!));

  const outside = path.join(parent, 'outside');
  fs.mkdirSync(outside, { mode: 0o777 });
  fs.chmodSync(outside, 0o777);
  fs.writeFileSync(path.join(outside, 'canary'), 'canary');
  const besideHome = fs.readdirSync(parent).sort();
  const work = sharedTempDir(t, 'hostagent-fuzz-in-');
  const r = prng(SEED);
  const outcomes: Record<string, number> = {};
  const problems: string[] = [];
  let peak = status('VmRSS');
  for (let i = 0; i < CASES; i++) {
    const { bytes, what } = mutate(tar, r);
    const file = path.join(work, `case-${i}.tar.gz`);
    fs.writeFileSync(file, bytes);
    let outcome: string;
    try {
      const { snapshotId } = await admin.call<{ snapshotId: string }>('snapshot.import', { path: file, account: 'fuzzed' });
      const { jobId } = await admin.call<{ jobId: string }>('restore.create', { snapshotId, parts: ['files'], target: { mode: 'in-place' } });
      const job = await waitForJob(admin, jobId);
      outcome = `imported, restore ${job.status}${job.errcode ? ` ${job.errcode}` : ''}`;
      await admin.call('snapshot.delete', { snapshotId }).catch(() => undefined);
    } catch (err) {
      if (!(err instanceof RpcCallError)) { problems.push(`case ${i} (${what}): ${(err as Error).message}`); break; }
      outcome = `refused ${String(err.data?.code ?? err.message)}`;
      if (err.data?.code === 'AGENT_E_INTERNAL') problems.push(`case ${i} (${what}): internal error ${err.message}`);
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    fs.rmSync(file);
    peak = Math.max(peak, status('VmRSS'));
    const st = await admin.call<{ version?: string }>('agent.status', {}).catch((e: Error) => { problems.push(`case ${i} (${what}): agent.status failed: ${e.message}`); return null; });
    if (!st) break;
    if (fs.readFileSync(path.join(outside, 'canary'), 'utf8') !== 'canary' || listing(outside).join() !== 'canary') problems.push(`case ${i} (${what}): the directory beside the home changed`);
    if (fs.readdirSync(parent).sort().join() !== besideHome.join()) problems.push(`case ${i} (${what}): something appeared beside the home: ${fs.readdirSync(parent).join(', ')}`);
  }
  const hwm = status('VmHWM');
  t.comment(`outcomes: ${JSON.stringify(outcomes)}`);
  t.comment(`daemon RSS peak ${(peak / 2 ** 20).toFixed(0)} MiB sampled, VmHWM ${(hwm / 2 ** 20).toFixed(0)} MiB`);
  t.same(problems.slice(0, 10), [], 'every case answered with a clear error or a restore; the daemon kept answering; nothing outside the home changed');
  t.ok(hwm < RSS_LIMIT, `the daemon's peak RSS (${(hwm / 2 ** 20).toFixed(0)} MiB) stays under ${RSS_LIMIT / 2 ** 20} MiB`);
  t.equal(d.child.exitCode, null, 'the daemon is still running');
});
