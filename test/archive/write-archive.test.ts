// The account_full archive, checked with GNU tar, sha256sum, gzip and zstd: layout and order,
// links, skipped specials, .ssh policy, excludes, zstd, split parts.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeAccountArchive, verifyArchive, checkRecordedSha256, archiveName } from '../../src/archive/index.ts';
import { localArchive } from '../../src/archive/archive-source.ts';
import type { ArchiveEntry } from '../../src/core/index.ts';
import { Readable } from 'node:stream';
import { requirePeer, hasCommand, IS_ROOT } from '../helpers/peer.ts';
import { makeTenant, sh } from '../sources/files/tenant-fixture.ts';

t.setTimeout(180_000);

t.test('gzip archive: layout, links, specials, .ssh, excludes, checksums', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  const h = tenant.home;
  // Hard link, FIFO, socket, an excluded file, a name with spaces and UTF-8.
  fs.writeFileSync(path.join(h, 'public_html/hard-a.txt'), 'same inode\n');
  fs.linkSync(path.join(h, 'public_html/hard-a.txt'), path.join(h, 'public_html/hard-b.txt'));
  execFileSync('mkfifo', [path.join(h, 'tmp/a-fifo')]);
  execFileSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', path.join(h, 'tmp/a-socket')]);
  fs.writeFileSync(path.join(h, 'public_html/old.bak'), 'excluded\n');
  fs.writeFileSync(path.join(h, 'public_html/Ünïcödé name ✓.txt'), 'utf8\n');
  // Names sha256sum escapes (their SHA256SUMS lines start with a backslash), and an empty file.
  fs.writeFileSync(path.join(h, 'public_html/back\\slash.txt'), 'backslash\n');
  fs.writeFileSync(path.join(h, 'public_html/new\nline.txt'), 'newline\n');
  fs.writeFileSync(path.join(h, 'public_html/empty.txt'), '');
  sh('chown -R -h "$1" "$2"', `${tenant.uid}:${tenant.gid}`, h);

  const out = path.join(tenant.base, 'out.tar.gz');
  const progress: number[] = [];
  const r = await writeAccountArchive({
    outPath: out, compression: 'gzip',
    manifest: { format: 1, kind: 'account_full', username: tenant.name },
    files: { home: h, uid: tenant.uid, gid: tenant.gid, excludes: ['logs', '*.bak'] },
    onProgress: (p) => progress.push(p.bytesDone),
  });
  t.same(r.paths, [out]);
  t.equal(fs.statSync(out).size, r.bytes);
  t.equal(sh('sha256sum "$1"', out).split(' ')[0], r.sha256, 'sha256 recorded while writing matches the file');
  t.ok(progress.length > 0 && progress.every((v, i) => i === 0 || v >= progress[i - 1]), 'progress only grows');

  const list = sh('tar -tzf "$1"', out).trim().split('\n');
  t.equal(list[0], 'manifest.json', 'manifest.json is first');
  t.equal(list[list.length - 1], 'SHA256SUMS', 'SHA256SUMS is last');
  t.equal(list[list.length - 2], 'warnings.json', 'warnings.json precedes SHA256SUMS');
  t.ok(list.includes('files/.ssh/authorized_keys'), 'authorized_keys kept');
  t.notOk(list.some((p) => /id_rsa|id_ed25519/.test(p)), 'no private keys');
  t.notOk(list.some((p) => p.startsWith('files/logs')), 'excluded directory absent');
  t.notOk(list.some((p) => p.endsWith('.bak')), 'excluded glob absent');
  t.notOk(list.some((p) => /a-fifo|a-socket/.test(p)), 'FIFO and socket absent');
  t.ok(list.includes('files/tmp/empty-dir/'), 'empty directory kept');

  const x = path.join(tenant.base, 'x');
  fs.mkdirSync(x);
  sh('tar -xzf "$1" -C "$2"', out, x);
  t.match(sh('cd "$1" && sha256sum -c SHA256SUMS', x), /OK/, 'sha256sum -c passes');
  t.equal(sh('cd "$1" && sha256sum -c --quiet SHA256SUMS && echo clean', x).trim(), 'clean');
  const sums = fs.readFileSync(path.join(x, 'SHA256SUMS'), 'utf8');
  t.match(sums, /^\\[0-9a-f]{64} {2}files\/public_html\/back\\\\slash\.txt$/m, 'a backslash name is escaped');
  t.match(sums, /^\\[0-9a-f]{64} {2}files\/public_html\/new\\nline\.txt$/m, 'a newline name is escaped');
  t.match(sums, /^e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 {2}files\/public_html\/empty\.txt$/m, 'the empty file has the empty digest');
  const link = path.join(x, 'files/public_html/passwd-link');
  t.ok(fs.lstatSync(link).isSymbolicLink(), 'symlink stays a link');
  t.equal(fs.readlinkSync(link), '/etc/passwd');
  t.equal(fs.statSync(path.join(x, 'files/public_html/hard-a.txt')).ino, fs.statSync(path.join(x, 'files/public_html/hard-b.txt')).ino, 'hard link kept');
  t.equal(fs.readFileSync(path.join(x, 'files/public_html/Ünïcödé name ✓.txt'), 'utf8'), 'utf8\n');
  t.ok(fs.existsSync(path.join(x, 'files/public_html/wp-content/uploads/résumé-ñ.pdf')));
  t.equal(fs.statSync(path.join(x, 'files/.ssh/authorized_keys')).mode & 0o777, 0o600, 'modes kept');
  t.equal(Math.floor(fs.statSync(path.join(x, 'files/.bashrc')).mtimeMs / 1000), Math.floor(fs.statSync(path.join(h, '.bashrc')).mtimeMs / 1000), 'mtimes kept');

  const manifest = JSON.parse(fs.readFileSync(path.join(x, 'manifest.json'), 'utf8'));
  t.equal(manifest.warningsFile, 'warnings.json');
  t.equal(manifest.username, tenant.name);
  const warnings = JSON.parse(fs.readFileSync(path.join(x, 'warnings.json'), 'utf8')) as Array<{ code: string; path: string }>;
  t.same(warnings.filter((w) => w.code === 'SPECIAL_FILE_SKIPPED').map((w) => w.path).sort(), ['files/tmp/a-fifo', 'files/tmp/a-socket']);
  t.same(r.warnings, warnings, 'the result carries the same warnings');
  t.notOk(fs.readFileSync(path.join(x, 'SHA256SUMS'), 'utf8').includes('SHA256SUMS'), 'SHA256SUMS does not list itself');
  await verifyArchive(r.paths, { sha256: r.sha256 });
});

t.test('zstd archive with other sources, split into parts', async (t) => {
  if (!requirePeer(t, 'zstd', hasCommand('zstd'))) return;
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  const dump = Buffer.from('CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n');
  async function* entries(): AsyncGenerator<ArchiveEntry> {
    yield { path: 'databases/shop.sql', type: 'file', mode: 0o600, mtime: new Date(), size: dump.length, open: () => Readable.from([dump]) };
    yield { path: 'mail/a@example.com', type: 'directory', mode: 0o700, mtime: new Date() };
    yield { path: 'dns/example.com.zone', type: 'file', mode: 0o644, mtime: new Date(), size: 4, open: () => Readable.from([Buffer.from('@ 1\n')]) };
  }
  const out = path.join(tenant.base, 'acme.tar.zst');
  const splitSize = 3 * 1024 * 1024 + 17;
  const r = await writeAccountArchive({
    outPath: out, compression: 'zstd', splitSize, manifest: { format: 1 },
    files: { home: tenant.home, uid: tenant.uid, gid: tenant.gid, excludes: [] }, entries: entries(),
  });
  t.ok(r.paths.length > 1, `split into ${r.paths.length} parts`);
  t.same(r.paths, r.paths.map((_p, i) => `${out}.part${String(i + 1).padStart(3, '0')}`));
  r.paths.slice(0, -1).forEach((p) => t.equal(fs.statSync(p).size, splitSize));
  t.same(fs.readdirSync(tenant.base).filter((n) => n.endsWith('.partial')), [], 'no partial files left');
  const whole = path.join(tenant.base, 'joined.tar.zst');
  sh('out="$1"; shift; cat "$@" > "$out"', whole, ...r.paths);
  t.equal(sh('sha256sum "$1"', whole).split(' ')[0], r.sha256, 'parts cat back into the archive');
  sh('zstd -q -t "$1"', whole);
  const list = sh('tar --zstd -tf "$1"', whole).trim().split('\n');
  t.equal(list[0], 'manifest.json');
  t.equal(list[list.length - 1], 'SHA256SUMS');
  const order = ['files/', 'databases/', 'mail/', 'dns/', 'warnings.json'].map((p) => list.findIndex((n) => n.startsWith(p)));
  t.same(order, [...order].sort((a, b) => a - b), 'files, databases, mail, dns, warnings in order');
  t.ok(order.every((i) => i > 0));
  const x = path.join(tenant.base, 'x');
  fs.mkdirSync(x);
  sh('tar --zstd -xf "$1" -C "$2" && cd "$2" && sha256sum -c --quiet SHA256SUMS', whole, x);
  t.same(fs.readFileSync(path.join(x, 'databases/shop.sql')), dump);
  const v = await verifyArchive(r.paths, { sha256: r.sha256 });
  t.equal(v.sha256, r.sha256);
});

t.test('the recorded-sha256 check passes the archive as written and refuses a damaged or short copy', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t);
  const out = path.join(tenant.base, 'rec.tar.gz');
  const r = await writeAccountArchive({ outPath: out, compression: 'gzip', manifest: { format: 1 }, files: { home: tenant.home, uid: tenant.uid, gid: tenant.gid, excludes: [] } });
  const recorded = { sha256: r.sha256, files: r.files };
  // sha256sum, not our hash, says what the bytes are.
  t.equal(sh('sha256sum "$1"', out).split(' ')[0], r.sha256);
  const onDisk = await checkRecordedSha256(localArchive(r.paths, 'gzip'), recorded);
  t.same({ sha256: onDisk.sha256, bytes: onDisk.bytes, members: onDisk.members }, { sha256: r.sha256, bytes: fs.statSync(out).size, members: true }, 'a file on disk: hashed on a worker');
  const original = fs.readFileSync(out);
  // A source with no files, as a destination is: hashed as it streams.
  const streamed = { compression: 'gzip' as const, origin: 'stream', open: () => Readable.from([original.subarray(0, 1000), original.subarray(1000)]) };
  t.equal((await checkRecordedSha256(streamed, recorded)).sha256, r.sha256, 'a streamed source');
  for (const [what, bytes] of [['truncated', original.subarray(0, original.length - 1)], ['damaged', Buffer.from(original).fill(0, 200, 201)], ['extended', Buffer.concat([original, Buffer.alloc(512)])]] as const) {
    fs.writeFileSync(out, bytes);
    await t.rejects(checkRecordedSha256(localArchive(r.paths, 'gzip'), recorded), { code: 'AGENT_E_ARCHIVE_CORRUPT' }, what);
  }
  fs.rmSync(out);
  await t.rejects(checkRecordedSha256(localArchive(r.paths, 'gzip'), recorded), { code: 'AGENT_E_NOT_FOUND' }, 'missing');
});

t.test('entries outside databases/, mail/, dns/ or out of order are refused, nothing left', async (t) => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'hat-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, ArchiveEntry[]]> = [
    ['escape', [{ path: 'databases/../../etc/x', type: 'file', mode: 0o600, mtime: new Date(), size: 0, open: () => Readable.from([]) }]],
    ['top level', [{ path: 'files/x', type: 'file', mode: 0o600, mtime: new Date(), size: 0, open: () => Readable.from([]) }]],
    ['order', [
      { path: 'dns/a.zone', type: 'file', mode: 0o600, mtime: new Date(), size: 0, open: () => Readable.from([]) },
      { path: 'databases/a.sql', type: 'file', mode: 0o600, mtime: new Date(), size: 0, open: () => Readable.from([]) }]],
    ['size lie', [{ path: 'databases/a.sql', type: 'file', mode: 0o600, mtime: new Date(), size: 10, open: () => Readable.from([Buffer.from('abc')]) }]],
  ];
  for (const [name, list] of cases) {
    await t.rejects(writeAccountArchive({ outPath: path.join(dir, `${name}.tar.gz`), compression: 'gzip', manifest: {}, entries: Readable.from(list) }),
      { code: name === 'size lie' ? 'AGENT_E_SOURCE_READ' : 'AGENT_E_INVALID' }, name);
  }
  t.same(fs.readdirSync(dir), [], 'no partial files');
});

t.test('archiveName follows DESIGN.md', async (t) => {
  const at = new Date('2026-11-22T10:15:00.123Z');
  t.equal(archiveName({ account: 'acme', kind: 'account_full', createdAt: at, snapshotId: 's1', compression: 'gzip' }), 'acme_account_full_20261122T101500Z_s1.tar.gz');
  t.equal(archiveName({ prefix: 'node1-', account: 'acme', kind: 'account_full', createdAt: at, snapshotId: 's1', compression: 'zstd' }), 'node1-acme_account_full_20261122T101500Z_s1.tar.zst');
  t.throws(() => archiveName({ account: '../x', kind: 'account_full', createdAt: at, snapshotId: 's1', compression: 'gzip' }), { code: 'AGENT_E_INVALID' });
});
