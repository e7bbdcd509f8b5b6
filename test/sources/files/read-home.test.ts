// The unprivileged home reader: it runs as the tenant with no supplementary groups, opens the
// home only when the tenant (or root) decides its path, never follows a symlink (even one swapped
// in mid-walk), and the daemon rejects what a misbehaving reader sends.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { writeAccountArchive } from '../../../src/archive/index.ts';
import { readHome, FrameParser, type HomeEntry } from '../../../src/sources/files/index.ts';
import { MAX_UNSUMMED_FILES } from '../../../src/sources/files/frame.ts';
import type { SourceWarning } from '../../../src/core/index.ts';
import { requirePeer, IS_ROOT } from '../../helpers/peer.ts';
import { makeTenant, uniqueName, sh } from './tenant-fixture.ts';

t.setTimeout(240_000);

const ROOT_MARKER = 'ROOT-ONLY-SECRET-7f3a9c';
const OUTSIDE_MARKER = 'OUTSIDE-HOME-CONTENT-51be02';

/** A root-only directory and file, and a world-readable one, both outside the home. */
function makeForbidden(base: string): { rootDir: string; rootFile: string; outsideDir: string } {
  const rootDir = path.join(base, 'root-only');
  fs.mkdirSync(rootDir, { mode: 0o700 });
  const rootFile = path.join(rootDir, 'secret.txt');
  fs.writeFileSync(rootFile, `${ROOT_MARKER}\n`.repeat(100), { mode: 0o600 });
  const outsideDir = path.join(base, 'outside');
  fs.mkdirSync(outsideDir, { mode: 0o755 });
  fs.writeFileSync(path.join(outsideDir, 'page.txt'), `${OUTSIDE_MARKER}\n`.repeat(100), { mode: 0o644 });
  return { rootDir, rootFile, outsideDir };
}

async function collect(opts: Parameters<typeof readHome>[0]): Promise<{ entries: HomeEntry[]; warnings: SourceWarning[]; content: Map<string, Buffer> }> {
  const entries: HomeEntry[] = [];
  const warnings: SourceWarning[] = [];
  const content = new Map<string, Buffer>();
  const sums = new Map<string, string>();
  // Checksums come in file order, possibly after later entries.
  const unsummed: string[] = [];
  let current = '';
  await readHome(opts, {
    entry: (e) => { entries.push(e); current = e.path; if (e.type === 'file') content.set(current, Buffer.alloc(0)); return undefined; },
    data: (chunk) => { content.set(current, Buffer.concat([content.get(current)!, chunk])); return undefined; },
    fileEnd: () => { unsummed.push(current); return undefined; },
    fileSum: (sha256) => { sums.set(unsummed.shift()!, sha256); },
    warning: (w) => { warnings.push(w); },
  });
  if (unsummed.length > 0) throw new Error(`no checksum for ${unsummed.join(', ')}`);
  for (const [p, data] of content) {
    if (sums.get(p) !== createHash('sha256').update(data).digest('hex')) throw new Error(`checksum of ${p} does not match its content`);
  }
  return { entries, warnings, content };
}

t.test('reads as the tenant, without supplementary groups; root-only files stay out', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t, null);
  const h = tenant.home;
  const { rootFile, rootDir, outsideDir } = makeForbidden(tenant.base);
  // A group the tenant belongs to: a file readable only through it must stay unreadable.
  const group = uniqueName('hatg');
  execFileSync('groupadd', [group]);
  t.teardown(() => { try { execFileSync('groupdel', [group], { stdio: 'ignore' }); } catch { /* gone */ } });
  execFileSync('usermod', ['-a', '-G', group, tenant.name]);
  fs.writeFileSync(path.join(h, 'group-only.txt'), `${ROOT_MARKER}\n`, { mode: 0o640 });
  execFileSync('chown', [`root:${group}`, path.join(h, 'group-only.txt')]);
  fs.chmodSync(path.join(h, 'group-only.txt'), 0o640);
  // Links a root process would follow.
  fs.symlinkSync(rootFile, path.join(h, 'link-to-secret'));
  fs.symlinkSync(rootDir, path.join(h, 'link-to-root-dir'));
  fs.symlinkSync(outsideDir, path.join(h, 'link-to-outside'));
  fs.linkSync(rootFile, path.join(h, 'hardlink-to-secret')); // root can make it; the tenant cannot read it
  fs.writeFileSync(path.join(h, 'mine.txt'), 'tenant data\n');
  execFileSync('chown', ['-h', `${tenant.uid}:${tenant.gid}`, h, path.join(h, 'mine.txt'), path.join(h, 'link-to-secret'), path.join(h, 'link-to-root-dir'), path.join(h, 'link-to-outside')]);

  const { entries, warnings, content } = await collect({ home: h, uid: tenant.uid, gid: tenant.gid, excludes: [] });
  const byPath = new Map(entries.map((e) => [e.path, e]));
  t.equal(byPath.get('link-to-secret')?.type, 'symlink');
  t.equal(byPath.get('link-to-root-dir')?.type, 'symlink');
  t.equal(byPath.get('link-to-outside')?.linkTarget, outsideDir);
  t.notOk(byPath.has('group-only.txt'), 'a file readable only through a supplementary group is not read');
  t.notOk(byPath.has('hardlink-to-secret'), 'a hard link to a root-only file is not read');
  t.same(warnings.filter((w) => w.code === 'FILE_UNREADABLE').map((w) => w.path).sort(), ['group-only.txt', 'hardlink-to-secret']);
  t.equal(content.get('mine.txt')?.toString(), 'tenant data\n');
  const all = Buffer.concat([...content.values()]).toString('latin1');
  t.notOk(all.includes(ROOT_MARKER) || all.includes(OUTSIDE_MARKER), 'no content from outside the home');
});

t.test('regression: swapping a directory for a symlink during the backup leaks nothing', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t, null);
  const h = tenant.home;
  const { rootDir, outsideDir } = makeForbidden(tenant.base);
  // Many small files so each run takes a while and the window is hit often.
  for (const d of ['site', 'site/a', 'site/b', 'other']) fs.mkdirSync(path.join(h, d), { recursive: true });
  for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(h, `site/${i % 2 ? 'a' : 'b'}/f${i}.txt`), `tenant file ${i}\n`.repeat(20));
  for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(h, `other/g${i}.txt`), `other ${i}\n`);
  sh('chown -R -h "$1" "$2"', `${tenant.uid}:${tenant.gid}`, h);
  // The tenant races: site/ becomes a link to the root-only dir, then to a readable dir outside
  // the home, then back; other/ flips to a link to the root-only file. Python, so no fork per
  // swap: the swaps are fast enough to land inside a walk.
  const racer = spawn('/usr/bin/python3', ['-c', `
import os, sys
home, root_dir, outside = sys.argv[1:4]
os.chdir(home)
def swap(name, target):
    try:
        os.rename(name, name + '.real')
    except OSError:
        return
    for t in target:
        try:
            os.symlink(t, name)
            os.unlink(name)
        except OSError:
            pass
    os.symlink(target[-1], name)
    os.unlink(name)
    os.rename(name + '.real', name)
while True:
    swap('site', [root_dir, outside])
    swap('other', [root_dir + '/secret.txt'])
`, h, rootDir, outsideDir], { uid: tenant.uid, gid: tenant.gid, stdio: 'ignore' });
  t.teardown(() => { racer.kill('SIGKILL'); });
  const out = path.join(tenant.base, 'race.tar.gz');
  let racesHit = 0;
  const runs = 8;
  for (let run = 0; run < runs; run++) {
    const r = await writeAccountArchive({ outPath: out, compression: 'gzip', manifest: {}, files: { home: h, uid: tenant.uid, gid: tenant.gid, excludes: [] } });
    const listing = sh('tar -tvzf "$1"', out);
    // The walk met a swapped-in link, or a directory vanished or changed under it.
    if (r.warnings.length > 0 || /^l.* files\/(site|other) -> /m.test(listing)) racesHit++;
    const tar = gunzipSync(fs.readFileSync(out)).toString('latin1');
    if (tar.includes(ROOT_MARKER) || tar.includes(OUTSIDE_MARKER)) {
      t.fail(`run ${run}: content from outside the home reached the archive`);
      return;
    }
    // Whatever the timing, GNU tar can read it and the checksums hold.
    const x = path.join(tenant.base, 'x');
    fs.rmSync(x, { recursive: true, force: true });
    fs.mkdirSync(x);
    sh('tar -xzf "$1" -C "$2" && cd "$2" && sha256sum -c --quiet SHA256SUMS', out, x);
    fs.rmSync(out);
  }
  racer.kill('SIGKILL');
  t.ok(racesHit > 0, `the race was hit in ${racesHit} of ${runs} runs, and no outside content got in`);
});

t.test('a file that changes while read is a warning, not a failure', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t, null);
  const h = tenant.home;
  fs.writeFileSync(path.join(h, 'growing.log'), Buffer.alloc(8 << 20, 0x61));
  sh('chown -R -h "$1" "$2"', `${tenant.uid}:${tenant.gid}`, h);
  const writer = spawn('/bin/sh', ['-c', 'while :; do echo more >> "$1"; done', 'writer', path.join(h, 'growing.log')], { uid: tenant.uid, gid: tenant.gid, stdio: 'ignore' });
  t.teardown(() => { writer.kill('SIGKILL'); });
  let changed = 0;
  for (let i = 0; i < 10 && changed === 0; i++) {
    const { warnings, entries } = await collect({ home: h, uid: tenant.uid, gid: tenant.gid, excludes: [] });
    t.ok(entries.some((e) => e.path === 'growing.log'), 'the file is still archived');
    changed += warnings.filter((w) => w.code === 'FILE_CHANGED' && w.path === 'growing.log').length;
  }
  writer.kill('SIGKILL');
  t.ok(changed > 0, 'FILE_CHANGED reported');
});

t.test('the daemon does not trust the reader: unsafe frames are skipped or fail the read', async (t) => {
  const frame = (h: object, data = ''): Buffer => {
    const json = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length);
    return Buffer.concat([len, json, Buffer.from(data)]);
  };
  const base = { m: 0o644, mt: 1, u: 1000, g: 1000 };
  const entries: HomeEntry[] = [];
  const warnings: SourceWarning[] = [];
  const data: string[] = [];
  const sums: string[] = [];
  const parser = new FrameParser({
    entry: (e) => { entries.push(e); return undefined; },
    data: (c) => { data.push(c.toString()); return undefined; },
    fileEnd: () => undefined,
    fileSum: (h) => { sums.push(h); },
    warning: (w) => { warnings.push(w); },
  });
  const sum = (content: string): Buffer => frame({ t: 's', h: createHash('sha256').update(content).digest('hex') });
  parser.feed(Buffer.concat([
    frame({ t: 'd', p: '', ...base }),
    frame({ t: 'f', p: '/etc/shadow', s: 4, ...base }, 'AAAA'), sum('AAAA'),
    frame({ t: 'f', p: 'a/../../etc/passwd', s: 4, ...base }, 'BBBB'), sum('BBBB'),
    frame({ t: 'f', p: '.ssh/id_rsa', s: 4, ...base }, 'CCCC'), sum('CCCC'),
    frame({ t: 'h', p: 'x', l: '../../etc/shadow', ...base }),
    frame({ t: 'f', p: 'ok.txt', s: 2, k: 1, ...base }, 'ok'),
    frame({ t: 'f', p: 'plain.txt', s: 2, ...base }, 'pl'), sum('ok'),
    frame({ t: 'h', p: 'ok3.txt', l: 'plain.txt', ...base }),
    frame({ t: 'h', p: 'ok2.txt', l: 'ok.txt', ...base }), sum('pl'),
    frame({ t: 'e', n: 3 }),
  ]));
  t.same(entries.map((e) => [e.path, e.type]), [['', 'directory'], ['ok.txt', 'file'], ['plain.txt', 'file'], ['ok2.txt', 'hardlink']]);
  t.same(data, ['ok', 'pl'], 'data of skipped entries is dropped');
  t.same(sums, [createHash('sha256').update('ok').digest('hex'), createHash('sha256').update('pl').digest('hex')],
    'late checksums reach their files in order; those of skipped files are dropped');
  t.equal(warnings.filter((w) => w.code === 'UNSAFE_PATH').length, 5, 'including a hard link to a file not announced as linked');
  t.ok(parser.complete);
  const none = { entry: () => undefined, data: () => undefined, fileEnd: () => undefined, fileSum: () => {}, warning: () => {} };
  const bad = new FrameParser(none);
  t.throws(() => bad.feed(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3])), { code: 'AGENT_E_SOURCE_READ' }, 'oversized header');
  const bad2 = new FrameParser(none);
  t.throws(() => bad2.feed(frame({ t: 'f', p: 'x', s: -1, ...base })), { code: 'AGENT_E_SOURCE_READ' }, 'negative size');
  t.throws(() => new FrameParser(none).feed(Buffer.concat([frame({ t: 'f', p: 'x', s: 1, ...base }, 'x'), frame({ t: 'e', n: 1 })])), { code: 'AGENT_E_SOURCE_READ' }, 'file without checksum');
  t.throws(() => new FrameParser(none).feed(Buffer.concat([frame({ t: 'f', p: 'x', s: 1, ...base }, 'x'), sum('x'), sum('y')])), { code: 'AGENT_E_SOURCE_READ' }, 'checksum for no file');
  t.throws(() => new FrameParser(none).feed(Buffer.concat([frame({ t: 's', h: 'a'.repeat(64) }), frame({ t: 'f', p: 'x', s: 1, ...base }, 'x')])), { code: 'AGENT_E_SOURCE_READ' }, 'checksum before its file');
  t.throws(() => new FrameParser(none).feed(Buffer.concat([frame({ t: 'f', p: 'x', s: 1, ...base }, 'x'), frame({ t: 's', h: 'not hex' })])), { code: 'AGENT_E_SOURCE_READ' }, 'malformed checksum');

  // A reader that never sends checksums cannot make the daemon queue files without bound.
  const flood = new FrameParser(none);
  flood.feed(frame({ t: 'd', p: '', ...base }));
  const BATCH = 1 << 16;
  for (let sent = 0; sent < MAX_UNSUMMED_FILES; sent += BATCH) {
    flood.feed(Buffer.concat(Array.from({ length: BATCH }, (_v, i) => frame({ t: 'f', p: `f${sent + i}`, s: 0, ...base }))));
  }
  t.pass(`${MAX_UNSUMMED_FILES} files without checksums are accepted`);
  t.throws(() => flood.feed(frame({ t: 'f', p: 'one-more', s: 0, ...base })), { code: 'AGENT_E_SOURCE_READ', message: /too many files without their checksums/ }, 'one more is refused');
});

t.test('uid 0 is refused when the daemon is root', async (t) => {
  if (!requirePeer(t, 'root', IS_ROOT, 'tests must run as root')) return;
  await t.rejects(readHome({ home: '/root', uid: 0, gid: 0 }, { entry: () => undefined, data: () => undefined, fileEnd: () => undefined, fileSum: () => {}, warning: () => {} }), { code: 'AGENT_E_INVALID' });
});

t.test('a home below a directory another tenant owns is refused, not walked', async (t) => {
  if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests must run as root')) return;
  const tenant = makeTenant(t, null);
  const other = makeTenant(t, null);
  // The other tenant could swap `theirs` for a symlink at any time: it decides what the path means.
  const theirs = path.join(other.base, 'theirs');
  fs.mkdirSync(theirs, { mode: 0o755 });
  fs.chownSync(theirs, other.uid, other.gid);
  const home = path.join(theirs, 'home');
  fs.mkdirSync(home, { mode: 0o755 });
  fs.writeFileSync(path.join(home, 'index.php'), '<?php echo 1;\n');
  execFileSync('chown', ['-R', `${tenant.uid}:${tenant.gid}`, home]);
  const err = await readHome({ home, uid: tenant.uid, gid: tenant.gid }, { entry: () => undefined, data: () => undefined, fileEnd: () => undefined, fileSum: () => {}, warning: () => {} })
    .then(() => null, (e: unknown) => e as { code?: string; message?: string });
  t.equal(err?.code, 'AGENT_E_SOURCE_READ');
  t.match(err?.message ?? '', new RegExp(`decided by uid ${other.uid}`));
});
