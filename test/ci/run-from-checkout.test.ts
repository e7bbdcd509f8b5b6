// Running from a checkout: bin/hostagentd and bin/agentctl bootstrap Node like the README's
// scripts (here with the machine's old node first on PATH and the Node cache pre-filled with
// the node running this test, so nothing is downloaded); the entry points refuse an old Node
// with one line naming the version they need (the machine's own /usr/bin/node when it is old);
// and the build marks its entry points executable.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from './env.ts';
import { requirePeer } from '../helpers/peer.ts';
import { buildShipped } from '../../scripts/build-shipped.ts';
import { MIN_NODE, nodeIsSupported } from '../../bin/require-node.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const ARCH = ({ x64: 'x64', arm64: 'arm64' } as Record<string, string>)[process.arch];
const SYSTEM_NODE = '/usr/bin/node';
const systemNodeVersion = (() => {
  const r = spawnSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
})();
const oldSystemNode = systemNodeVersion !== null && !nodeIsSupported(systemNodeVersion);

t.setTimeout(300_000);

t.test('the floor is the one package.json and bootstrap-node.sh state', async (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } };
  t.equal(pkg.engines.node, `>=${MIN_NODE}`);
  t.match(fs.readFileSync(path.join(REPO, 'scripts/bootstrap-node.sh'), 'utf8'), new RegExp(`at least ${MIN_NODE.replace('.', '\\.')}`));
  t.same(['20.19.2', '22.17.1', '22.18.0', '23.6.0', '24.11.1'].map((v) => nodeIsSupported(v)), [false, false, true, true, true]);
});

t.test('bin/hostagentd and bin/agentctl run with an old node first on PATH', async (t) => {
  if (!requirePeer(t, 'an old node at /usr/bin/node', oldSystemNode, `it is ${systemNodeVersion ?? 'absent'}`)) return;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-checkout-'));
  t.teardown(() => fs.rmSync(scratch, { recursive: true, force: true }));
  // The cache as bootstrap-node.sh's npm install leaves it, holding the node running this test.
  const pkgBin = path.join(scratch, 'cache', 'node24', 'node_modules', `node-linux-${ARCH}`, 'bin');
  fs.mkdirSync(pkgBin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(pkgBin, 'node'));
  const env = cleanEnv({ PATH: `/usr/bin:/bin:/usr/sbin:/sbin`, HOSTAGENT_NODE_CACHE: path.join(scratch, 'cache') });

  const daemon = spawnSync(path.join(REPO, 'bin/hostagentd'), ['--version'], { env, encoding: 'utf8', timeout: 240_000 });
  t.equal(daemon.status, 0, daemon.stderr);
  t.match(daemon.stdout, /^hostagentd \d+\.\d+\.\d+/);
  const ctl = spawnSync(path.join(REPO, 'bin/agentctl'), ['--help'], { env, encoding: 'utf8', timeout: 240_000 });
  t.equal(ctl.status, 0, ctl.stderr);
  t.match(ctl.stdout, /usage: agentctl/);
  // Called through a symlink elsewhere on PATH, as an admin may install it.
  fs.symlinkSync(path.join(REPO, 'bin/agentctl'), path.join(scratch, 'agentctl'));
  const linked = spawnSync(path.join(scratch, 'agentctl'), ['--version'], { env, encoding: 'utf8', timeout: 240_000 });
  t.equal(linked.status, 0, linked.stderr);
  t.match(linked.stdout, /^agentctl \d+\.\d+\.\d+/);
});

t.test('the build: entry points executable with a #! line; an old node is refused in one line', async (t) => {
  const build = buildShipped();
  t.teardown(() => build.remove());
  for (const cmd of ['hostagentd', 'agentctl']) {
    const file = path.join(build.dir, 'bin', `${cmd}.js`);
    t.ok(fs.statSync(file).mode & 0o111, `dist/bin/${cmd}.js is executable`);
    t.match(fs.readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'and starts with #!');
    const run = spawnSync(file, ['--version'], { env: cleanEnv(), encoding: 'utf8' });
    t.equal(run.status, 0, `runs as a program on ${process.version}: ${run.stderr}`);

    if (!oldSystemNode) continue;
    const old = spawnSync(SYSTEM_NODE, [file, '--version'], { env: cleanEnv(), encoding: 'utf8' });
    t.equal(old.status, 1, `${SYSTEM_NODE} (v${systemNodeVersion}) is refused, not crashed (signal ${old.signal})`);
    t.equal(old.stdout, '');
    t.equal(old.stderr.trimEnd().split('\n').length, 1, 'one line');
    t.match(old.stderr, new RegExp(`^${cmd}: needs Node ${MIN_NODE.replace('.', '\\.')} or newer, this is v${systemNodeVersion}`));
  }
  if (!oldSystemNode) requirePeer(t, 'an old node at /usr/bin/node', false, `it is ${systemNodeVersion ?? 'absent'}`);
});
