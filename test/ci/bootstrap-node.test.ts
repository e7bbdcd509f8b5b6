// scripts/bootstrap-node.sh, sourced by a real bash: with an old node first on PATH it must put
// the cached Node 24 first (once, however often it is sourced) and point node-gyp at its headers;
// with a new enough node it must leave PATH alone. The cache is pre-filled with the node running
// this test, so no download happens here (CI exercises the download on its fresh machine).
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from './env.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/bootstrap-node.sh');
const ARCH = ({ x64: 'x64', arm64: 'arm64' } as Record<string, string>)[process.arch];

function scratch(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hat-bootstrap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A `node` that is too old: the version probe fails, as node 20 fails `>= 22.18`. */
function oldNodeDir(dir: string): string {
  const bin = path.join(dir, 'oldbin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho v20.0.0\nexit 1\n', { mode: 0o755 });
  // The tools the script uses, and no npm.
  for (const tool of ['uname', 'sed', 'dirname', 'readlink', 'mkdir', 'rm', 'flock']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (found) fs.symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

/** HOSTAGENT_NODE_CACHE laid out as the npm install leaves it, holding this node. */
function warmCache(dir: string): { cache: string; pkg: string } {
  const cache = path.join(dir, 'cache');
  const pkg = path.join(cache, 'node24', 'node_modules', `node-linux-${ARCH}`);
  fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  fs.symlinkSync(process.execPath, path.join(pkg, 'bin', 'node'));
  return { cache, pkg };
}

function sourceAndReport(pathVar: string, cache: string, times = 1) {
  const script = `${'source "$1" || exit 9\n'.repeat(times)}printf '%s\\n' "$(command -v node)" "$(node -p process.versions.node)" "\${npm_config_nodedir:-}" "$PATH"`;
  const r = spawnSync('/bin/bash', ['-c', script, 'bash', SCRIPT], {
    encoding: 'utf8',
    timeout: 30_000,
    env: cleanEnv({ PATH: pathVar, HOSTAGENT_NODE_CACHE: cache, HOME: os.tmpdir() }),
  });
  const [node, version, nodedir, newPath] = r.stdout.split('\n');
  return { status: r.status, node, version, nodedir, path: newPath, stderr: r.stderr };
}

t.test('old node on PATH: the cached Node 24 comes first, once', { skip: ARCH ? false : `no package for ${process.arch}` }, async (t) => {
  const dir = scratch(t);
  const old = oldNodeDir(dir);
  const { cache, pkg } = warmCache(dir);
  const r = sourceAndReport(`${old}:/usr/bin:/bin`, cache, 2);
  t.equal(r.status, 0, 'sourcing succeeds', { stderr: r.stderr });
  t.equal(r.node, path.join(pkg, 'bin', 'node'), 'node resolves to the cache');
  t.equal(r.version, process.versions.node);
  t.equal(r.nodedir, pkg, 'npm_config_nodedir points at the headers of that node');
  t.equal(r.path, `${path.join(pkg, 'bin')}:${old}:/usr/bin:/bin`, 'prepended exactly once after two sources');
  t.equal(r.stderr, '', 'quiet when nothing is installed');
});

t.test('new enough node on PATH: PATH untouched', async (t) => {
  const dir = scratch(t);
  const bin = path.join(dir, 'newbin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const r = sourceAndReport(`${bin}:/usr/bin:/bin`, path.join(dir, 'empty-cache'));
  t.equal(r.status, 0, { stderr: r.stderr });
  t.equal(r.path, `${bin}:/usr/bin:/bin`);
  t.equal(r.version, process.versions.node);
  t.notOk(fs.existsSync(path.join(dir, 'empty-cache')), 'nothing installed');
});

t.test('old node and nowhere to get a new one: sourcing fails with a message', async (t) => {
  const dir = scratch(t);
  const old = oldNodeDir(dir);
  // PATH with the old node but no npm: the script cannot install and must say so.
  const r = sourceAndReport(old, path.join(dir, 'empty-cache'));
  t.equal(r.status, 9, 'source returned non-zero');
  t.match(r.stderr, /older than 22\.18/);
});
