import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseConfig } from '../../src/config/index.ts';
import { HOSTAGENTD, tempDir } from '../helpers/daemon.ts';

function check(t: Test, content: string, extra: string[] = []) {
  const dir = tempDir(t);
  const file = path.join(dir, 'agent.json');
  fs.writeFileSync(file, content);
  return spawnSync(process.execPath, [HOSTAGENTD, ...extra, '--config', file], { encoding: 'utf8', timeout: 20000 });
}

const cases: [string, unknown, RegExp][] = [
  ['unknown top-level key', { bogus: 1 }, /: bogus: is not a known key$/],
  ['unknown nested key', { rpc: { adminSockt: '/x' } }, /: rpc\.adminSockt: is not a known key$/],
  ['wrong type', { jobs: { concurrency: 'two' } }, /: jobs\.concurrency: must be integer$/],
  ['bad value', { rpc: { maxLineBytes: 10 } }, /: rpc\.maxLineBytes: must be >= 1024$/],
  ['bad enum', { log: { level: 'loud' } }, /: log\.level: must be one of: .*"info"/],
  ['bad socket mode', { rpc: { panelMode: '999' } }, /: rpc\.panelMode: must match pattern/],
  ['relative spool', { paths: { spool: 'relative/spool' } }, /: paths\.spool: must be an absolute path$/],
  ['relative socket', { rpc: { panelSocket: 'agent.sock' } }, /: rpc\.panelSocket: must be an absolute path$/],
  ['notification URL the daemon refuses', { notifications: { urls: ['nosuchservice://x'] } }, /: notifications\.urls\.0: /],
  ['non-loopback download listener', { download: { listen: '0.0.0.0:80' } }, /: download\.listen: must be a loopback address:port/],
];

for (const [name, cfg, re] of cases) {
  t.test(`bad config exits 78 with one line naming the key: ${name}`, async (t) => {
    const r = check(t, JSON.stringify(cfg));
    t.equal(r.status, 78);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, 'exactly one line');
    t.match(lines[0], re);
    t.equal(r.stdout, '', 'nothing started');
    // --check-config refuses exactly what start refuses, with the same line.
    const checked = check(t, JSON.stringify(cfg), ['--check-config']);
    t.equal(checked.status, 78, '--check-config refuses it too');
    const problem = (line: string) => line.split(': ').slice(2).join(': '); // past "hostagentd: FILE: "
    t.equal(problem(checked.stderr.trim()), problem(lines[0]!), 'with the same message');
  });
}

t.test('invalid JSON and a missing file are config errors too', async (t) => {
  const r = check(t, '{"rpc": ');
  t.equal(r.status, 78);
  t.match(r.stderr, /not valid JSON/);
  const missing = spawnSync(process.execPath, [HOSTAGENTD, '--config', '/nonexistent/agent.json'], { encoding: 'utf8' });
  t.equal(missing.status, 78);
  t.match(missing.stderr, /\/nonexistent\/agent\.json: cannot read: ENOENT/);
});

t.test('--check-config accepts a valid file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'agent.json');
  fs.writeFileSync(file, JSON.stringify({ jobs: { concurrency: 4 } }));
  const r = spawnSync(process.execPath, [HOSTAGENTD, '--check-config', '--config', file], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.equal(r.stdout, 'config ok\n');
});

t.test('defaults fill every section', async (t) => {
  const c = parseConfig({});
  t.equal(c.rpc.adminMode, '0600');
  t.equal(c.rpc.panelMode, '0660');
  t.equal(c.rpc.maxLineBytes, 1024 * 1024);
  t.equal(c.paths.database, '/var/lib/hostagent/agent.db');
});
