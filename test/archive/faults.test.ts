// Failures of an archive write leave nothing behind, and verifyArchive catches damage.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeAccountArchive, verifyArchive } from '../../src/archive/index.ts';
import { requirePeer, IS_ROOT } from '../helpers/peer.ts';
import { makeTenant, sh } from '../sources/files/tenant-fixture.ts';

t.setTimeout(180_000);

t.test('abort mid-write removes every partial file and part', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  const outDir = path.join(tenant.base, 'spool');
  fs.mkdirSync(outDir);
  for (const splitSize of [undefined, 1 << 20]) {
    const ac = new AbortController();
    let seen = 0;
    await t.rejects(writeAccountArchive({
      outPath: path.join(outDir, 'a.tar.gz'), compression: 'gzip', splitSize, manifest: {},
      files: { home: tenant.home, uid: tenant.uid, gid: tenant.gid, excludes: [] },
      signal: ac.signal,
      onProgress: (p) => { seen = p.bytesDone; if (p.bytesDone > 4 << 20) ac.abort(); },
    }), { code: 'AGENT_E_CANCELLED' });
    t.ok(seen > 4 << 20, 'the write was under way');
    t.same(fs.readdirSync(outDir), [], `nothing left (splitSize ${splitSize})`);
  }
});

t.test('ENOSPC surfaces as AGENT_E_NO_SPACE and leaves nothing', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  const small = path.join(tenant.base, 'full');
  fs.mkdirSync(small);
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'hat-tmpfs', small], { stdio: 'ignore' });
    mounted = true;
  } catch { /* no mount permission */ }
  if (!requirePeer(t, 'a mountable tmpfs', mounted, 'mount -t tmpfs is not permitted here')) return;
  t.teardown(() => { execFileSync('umount', [small]); });
  await t.rejects(writeAccountArchive({
    outPath: path.join(small, 'a.tar.gz'), compression: 'gzip', manifest: {},
    files: { home: tenant.home, uid: tenant.uid, gid: tenant.gid, excludes: [] },
  }), { code: 'AGENT_E_NO_SPACE' });
  t.same(fs.readdirSync(small), [], 'nothing partial left');
});

t.test('verifyArchive detects truncation and flipped bits', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  for (const compression of ['gzip', 'zstd'] as const) {
    const out = path.join(tenant.base, `a.${compression}`);
    const r = await writeAccountArchive({ outPath: out, compression, manifest: {}, files: { home: tenant.home, uid: tenant.uid, gid: tenant.gid, excludes: [] } });
    const ok = await verifyArchive(r.paths);
    t.equal(ok.sha256, r.sha256, `${compression}: intact archive verifies`);
    t.equal(ok.members, compression === 'gzip', `${compression}: gzip members decoded in parallel`);
    const bytes = fs.readFileSync(out);

    const truncated = path.join(tenant.base, `trunc.${compression}`);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await t.rejects(verifyArchive(truncated), { code: 'AGENT_E_ARCHIVE_CORRUPT' }, `${compression}: truncated`);

    // Flip one bit in compressed text, in stored media and near the end.
    for (const at of [0.05, 0.5, 0.97]) {
      const flipped = Buffer.from(bytes);
      flipped[Math.floor(flipped.length * at)] ^= 0x10;
      const p = path.join(tenant.base, `flip.${compression}`);
      fs.writeFileSync(p, flipped);
      await t.rejects(verifyArchive(p), { code: 'AGENT_E_ARCHIVE_CORRUPT' }, `${compression}: bit flipped at ${at}`);
      await t.rejects(verifyArchive(p, { sha256: r.sha256 }), { code: 'AGENT_E_ARCHIVE_CORRUPT' }, `${compression}: bit flipped at ${at}, sha256 recorded`);
    }
    await t.rejects(verifyArchive(r.paths, { sha256: '0'.repeat(64) }), { code: 'AGENT_E_ARCHIVE_CORRUPT' }, 'recorded sha256 differs');
  }
  // One gzip member written by GNU gzip (a header with a file name): decoded serially.
  const regz = path.join(tenant.base, 'regz.tar.gz');
  sh('gzip -dc "$1" > "$2" && gzip "$2"', path.join(tenant.base, 'a.gzip'), path.join(tenant.base, 'regz.tar'));
  const serial = await verifyArchive(regz);
  t.equal(serial.members, false, 'another writer\'s gzip verifies through the serial decoder');
  // A tar whose SHA256SUMS lies: rebuilt with GNU tar after editing a file.
  const x = path.join(tenant.base, 'x');
  fs.mkdirSync(x);
  sh('tar -xzf "$1" -C "$2"', path.join(tenant.base, 'a.gzip'), x);
  fs.appendFileSync(path.join(x, 'files/.bashrc'), 'tampered\n');
  const forged = path.join(tenant.base, 'forged.tar.gz');
  sh('cd "$1" && tar -czf "$2" manifest.json files warnings.json SHA256SUMS', x, forged);
  await t.rejects(verifyArchive(forged), { code: 'AGENT_E_ARCHIVE_CORRUPT', message: /files\/\.bashrc/ }, 'checksum mismatch named');
});
