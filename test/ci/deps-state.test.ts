// scripts/deps-state.ts decides when scripts run `npm ci` (which wipes node_modules) or
// `npm rebuild`. Run for real on a scratch project: every input change flips the right answer.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirePeer } from '../helpers/peer.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/deps-state.ts');

function scratch(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-deps-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(dir, 'scripts', 'deps-state.ts'));
  return dir;
}

function run(dir: string, cmd: string): number | null {
  return spawnSync(process.execPath, [path.join(dir, 'scripts', 'deps-state.ts'), cmd], { encoding: 'utf8', timeout: 30_000 }).status;
}

const lock = (packages: Record<string, unknown>) => JSON.stringify({ name: 'x', lockfileVersion: 3, packages: { '': { name: 'x' }, ...packages } }, null, 2);

t.test('npm ci, stamp, then only a changed lockfile or node ABI asks again', async (t) => {
  const dir = scratch(t);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), lock({ 'node_modules/a': { version: '1.0.0' } }));
  t.equal(run(dir, 'check'), 10, 'no node_modules: npm ci');

  fs.mkdirSync(path.join(dir, 'node_modules'));
  t.equal(run(dir, 'check'), 10, 'node_modules without npm\'s record: npm ci');
  t.equal(run(dir, 'write'), 0);
  t.equal(run(dir, 'check'), 0, 'stamped: up to date');

  fs.writeFileSync(path.join(dir, 'package-lock.json'), lock({ 'node_modules/a': { version: '1.0.1' } }));
  t.equal(run(dir, 'check'), 10, 'lockfile changed: npm ci');
  t.equal(run(dir, 'write'), 0);

  const stampFile = path.join(dir, 'node_modules', '.hostagent-deps.json');
  const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  fs.writeFileSync(stampFile, JSON.stringify({ ...stamp, abi: '1' }));
  t.equal(run(dir, 'check'), 11, 'installed under another node ABI: npm rebuild');
});

t.test('a tree installed before the stamp existed is adopted when it matches the lockfile', async (t) => {
  const dir = scratch(t);
  const packages = {
    'node_modules/a': { version: '1.0.0' },
    'node_modules/b-darwin': { version: '1.0.0', optional: true, os: ['darwin'] },
  };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), lock(packages));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  // npm's record of what it installed leaves out optional packages for other platforms.
  fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), lock({ 'node_modules/a': { version: '1.0.0' } }));
  t.equal(run(dir, 'check'), 0, 'matching tree adopted');
  t.ok(fs.existsSync(path.join(dir, 'node_modules', '.hostagent-deps.json')), 'and stamped');

  const other = scratch(t);
  fs.writeFileSync(path.join(other, 'package-lock.json'), lock(packages));
  fs.mkdirSync(path.join(other, 'node_modules'));
  fs.writeFileSync(path.join(other, 'node_modules', '.package-lock.json'), lock({ 'node_modules/a': { version: '0.9.0' } }));
  t.equal(run(other, 'check'), 10, 'a different tree is reinstalled');
});

t.test('an addon built for another node is detected', async (t) => {
  const dir = scratch(t);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), lock({ 'node_modules/native': { version: '1.0.0' } }));
  fs.mkdirSync(path.join(dir, 'node_modules', 'native', 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), lock({ 'node_modules/native': { version: '1.0.0' } }));
  // Not a loadable shared object, as an addon for another ABI is not loadable either.
  fs.writeFileSync(path.join(dir, 'node_modules', 'native', 'build', 'Release', 'native.node'), 'not an ELF file');
  t.equal(run(dir, 'check'), 11, 'npm rebuild');
});

t.test('an optional addon npm dropped is installed once its build prerequisites appear, and only once', async (t) => {
  if (!requirePeer(t, 'libsystemd-dev', fs.existsSync('/usr/include/systemd/sd-daemon.h'), 'the sd-notify addon builds against its header')) return;
  const dir = scratch(t);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), lock({ 'node_modules/a': { version: '1.0.0' } }));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  const stampFile = path.join(dir, 'node_modules', '.hostagent-deps.json');
  t.equal(run(dir, 'write'), 0);
  const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  t.same(stamp.prerequisites, ['sd-notify'], 'the stamp records the prerequisites present');
  t.equal(run(dir, 'check'), 0, 'installed with the header present: nothing to do, even if the build failed');
  // Installed before the header existed (the demo ran before install-peers.sh): sd-notify was dropped.
  fs.writeFileSync(stampFile, JSON.stringify({ ...stamp, prerequisites: [] }));
  t.equal(run(dir, 'check'), 10, 'npm ci, which builds it now');
  fs.mkdirSync(path.join(dir, 'node_modules', 'sd-notify', 'build', 'Release'), { recursive: true });
  t.equal(run(dir, 'check'), 0, 'an addon already built needs nothing');
});
