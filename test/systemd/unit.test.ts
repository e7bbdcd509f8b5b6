// The shipped systemd files, checked by systemd's own tools: `systemd-analyze verify` must pass
// with no warning about our unit, the hardening must not regress, and the sysusers/tmpfiles
// snippets must do what they say when applied to a scratch root.
import t, { type Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasCommand, requirePeer } from '../helpers/peer.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNIT = path.join(ROOT, 'systemd/hostagent.service');

/** [Section] -> key -> values (a key may repeat), comments and blank lines dropped. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`unparsable unit line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

function scratchDir(t: Test, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the unit whose ExecStart is this checkout's daemon run by this node (verify needs a real executable). */
function unitForThisCheckout(dir: string): string {
  const text = fs.readFileSync(UNIT, 'utf8');
  const rewritten = text.replace(/^ExecStart=\/usr\/bin\/hostagentd /m, `ExecStart=${process.execPath} ${path.join(ROOT, 'bin/hostagentd.ts')} `);
  if (rewritten === text) throw new Error('ExecStart=/usr/bin/hostagentd not found in the unit');
  const file = path.join(dir, 'hostagent.service');
  fs.writeFileSync(file, rewritten);
  return file;
}

t.test('the unit declares what the daemon and the issue rely on', async (t) => {
  const unit = parseUnit(fs.readFileSync(UNIT, 'utf8'));
  const service = unit.get('Service');
  t.ok(service, '[Service] section');
  const one = (key: string): string | undefined => service?.get(key)?.at(-1);
  t.equal(one('Type'), 'notify');
  t.equal(one('NotifyAccess'), 'main');
  t.match(one('WatchdogSec'), /^\d+s?$/, 'WatchdogSec set');
  t.equal(one('RuntimeDirectory'), 'hostagent');
  t.equal(one('RuntimeDirectoryMode'), '0755');
  t.equal(one('StateDirectory'), 'hostagent');
  t.equal(one('StateDirectoryMode'), '0700');
  t.equal(one('ExecStart'), '/usr/bin/hostagentd --config /etc/hostagent/agent.json');
  t.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
  t.equal(one('Restart'), 'on-failure');
  t.equal(one('RestartPreventExitStatus'), '78', 'a config error (exit 78) is not restarted');
  t.equal(one('ProtectSystem'), 'strict');
  t.notOk(service?.has('ProtectHome'), 'ProtectHome is not set: homes are backed up and restored');
  const writable = (service?.get('ReadWritePaths') ?? []).join(' ').split(/\s+/).map((p) => p.replace(/^-/, ''));
  t.ok(writable.includes('/home'), '/home stays writable for restores');
  const caps = (one('CapabilityBoundingSet') ?? '').split(/\s+/);
  for (const cap of ['CAP_SETUID', 'CAP_SETGID', 'CAP_CHOWN', 'CAP_DAC_READ_SEARCH', 'CAP_KILL']) t.ok(caps.includes(cap), `keeps ${cap}`);
  for (const cap of ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_NET_ADMIN', 'CAP_SYS_MODULE']) t.notOk(caps.includes(cap), `drops ${cap}`);

  // The stop timeout must outlast the default shutdown grace, or systemd kills running jobs
  // before the daemon can mark them interrupted.
  const { parseConfig } = await import('../../src/config/index.ts');
  const grace = parseConfig({}).jobs.shutdownGraceSeconds;
  const stop = Number(/^(\d+)s?$/.exec(one('TimeoutStopSec') ?? '')?.[1]);
  t.ok(stop > grace, `TimeoutStopSec (${stop}s) > jobs.shutdownGraceSeconds default (${grace}s)`);
});

t.test('systemd-analyze verify passes without warnings', async (t) => {
  if (!requirePeer(t, 'systemd-analyze', hasCommand('systemd-analyze'))) return;
  const dir = scratchDir(t, 'hat-unit-');
  const file = unitForThisCheckout(dir);
  const run = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 60_000 });
  const ours = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('hostagent'));
  t.equal(run.status, 0, 'verify exits 0', { stderr: run.stderr });
  t.strictSame(ours, [], 'no warning about hostagent.service');

  // The check is real: a misspelt directive in the same unit is reported.
  fs.appendFileSync(file, '\n[Service]\nProtectSytem=strict\n');
  const broken = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 60_000 });
  t.match(broken.stderr, /ProtectSytem/, 'a misspelt key is reported');
});

t.test('hardening exposure stays low', async (t) => {
  if (!requirePeer(t, 'systemd-analyze', hasCommand('systemd-analyze'))) return;
  const dir = scratchDir(t, 'hat-unit-');
  const file = unitForThisCheckout(dir);
  const run = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', file], { encoding: 'utf8', timeout: 60_000 });
  const level = /Overall exposure level for hostagent\.service: ([\d.]+)/.exec(run.stdout);
  t.ok(level, 'exposure level reported', { stdout: run.stdout.slice(-500), stderr: run.stderr });
  // 10 is an unhardened service; a root agent that must write /home cannot get near 0.
  t.ok(Number(level?.[1]) <= 4, `exposure ${level?.[1]} <= 4`);
});

t.test('sysusers creates the hostagent group', async (t) => {
  if (!requirePeer(t, 'systemd-sysusers', hasCommand('systemd-sysusers'))) return;
  const root = scratchDir(t, 'hat-sysusers-');
  fs.mkdirSync(path.join(root, 'etc'));
  for (const f of ['passwd', 'group', 'shadow', 'gshadow']) fs.writeFileSync(path.join(root, 'etc', f), f === 'passwd' ? 'root:x:0:0:root:/root:/bin/sh\n' : f === 'group' ? 'root:x:0:\n' : '');
  execFileSync('systemd-sysusers', [`--root=${root}`, path.join(ROOT, 'systemd/hostagent.sysusers.conf')], { stdio: 'pipe' });
  const group = fs.readFileSync(path.join(root, 'etc/group'), 'utf8');
  t.match(group, /^hostagent:x:\d+:/m, 'group hostagent added');
});

t.test('tmpfiles creates the state and spool directories root-only', async (t) => {
  if (!requirePeer(t, 'systemd-tmpfiles', hasCommand('systemd-tmpfiles'))) return;
  const root = scratchDir(t, 'hat-tmpfiles-');
  execFileSync('systemd-tmpfiles', ['--create', `--root=${root}`, path.join(ROOT, 'systemd/hostagent.tmpfiles.conf')], { stdio: 'pipe' });
  for (const dir of ['var/lib/hostagent', 'var/lib/hostagent/spool']) {
    const st = fs.statSync(path.join(root, dir));
    t.ok(st.isDirectory(), `${dir} exists`);
    t.equal(st.mode & 0o777, 0o700, `${dir} is 0700`);
  }
});
