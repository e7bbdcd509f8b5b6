import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { requirePeer, hasCommand } from '../helpers/peer.ts';
import { REPO, spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { startNotifyListener } from '../helpers/notify-socket.ts';
import { waitFor } from '../helpers/tenant.ts';

const addon = (() => { try { createRequire(import.meta.url)('sd-notify'); return true; } catch { return false; } })();

t.test('sd_notify: READY after the sockets listen, STATUS, WATCHDOG, RELOADING, STOPPING', async (t) => {
  if (!requirePeer(t, 'sd-notify addon', addon, 'optional dependency sd-notify did not build (needs libsystemd-dev)')) return;
  if (!requirePeer(t, 'python3', hasCommand('python3'))) return;
  const dir = tempDir(t);
  writeDevConfig(dir, { log: { level: 'info' } });
  const listener = await startNotifyListener(t, dir);
  const d = spawnDaemon(t, ['--dev', dir], { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '400000' });
  const ready = await listener.waitFor('READY=1');
  t.match(ready.msg, /STATUS=ready/);
  t.match(ready.msg, new RegExp(`MAINPID=${d.child.pid}`));
  // READY was sent only once the sockets listen: they answer at once.
  for (const s of ['admin.sock', 'agent.sock', 'download.sock']) {
    await t.resolves(new Promise<void>((resolve, reject) => {
      const c = net.connect(path.join(dir, 'run', s), () => { c.destroy(); resolve(); });
      c.on('error', reject);
    }), `${s} accepts after READY`);
  }
  t.ok(fs.existsSync(path.join(dir, 'state', 'agent.db')), 'migrations ran before READY');
  // WATCHDOG=1 at half of 400 ms, as the ready line says, and it keeps coming (however busy the machine).
  const readyLine = await waitFor(() => d.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; watchdogMs?: number }).find((l) => l.msg === 'hostagentd ready'), 30_000, 'the ready log line');
  t.equal(readyLine.watchdogMs, 200, 'petting every half of WATCHDOG_USEC');
  let from = listener.messages.length;
  for (let i = 0; i < 3; i++) from = (await listener.waitFor('WATCHDOG=1', from, 30_000)).index + 1;
  t.pass('three more WATCHDOG=1 arrived');

  const before = listener.messages.length;
  d.child.kill('SIGHUP');
  const reloading = await listener.waitFor('RELOADING=1', before);
  t.match(reloading.msg, /MONOTONIC_USEC=\d+/);
  await listener.waitFor('READY=1', reloading.index + 1);

  const beforeStop = listener.messages.length;
  d.child.kill('SIGTERM');
  const stopping = await listener.waitFor('STOPPING=1', beforeStop);
  t.match(stopping.msg, /STATUS=stopping/);
  t.equal(await d.exited, 0, 'exits 0 on SIGTERM');
});

t.test('without NOTIFY_SOCKET nothing is sent and nothing fails', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const d = spawnDaemon(t, ['--dev', dir], { NOTIFY_SOCKET: '' });
  await d.waitForSocket();
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0);
});

t.test('under systemd without the sd-notify addon, start fails at once and says why', async (t) => {
  // A checkout whose node_modules lacks the optional addon, as when it could not be built: the
  // real sources and every other package, linked; symlinks preserved so it resolves from here.
  const install = tempDir(t, 'hostagent-no-addon-');
  for (const entry of ['bin', 'src', 'package.json']) fs.symlinkSync(path.join(REPO, entry), path.join(install, entry));
  fs.mkdirSync(path.join(install, 'node_modules'));
  for (const name of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (name !== 'sd-notify') fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(install, 'node_modules', name));
  }
  const dir = tempDir(t);
  writeDevConfig(dir);
  const listener = await startNotifyListener(t, dir);
  const d = spawnDaemon(t, ['--dev', dir], { NOTIFY_SOCKET: listener.path, NODE_OPTIONS: '--preserve-symlinks --preserve-symlinks-main' }, path.join(install, 'bin', 'hostagentd.ts'));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([d.exited, new Promise<'hung'>((r) => { timer = setTimeout(() => r('hung'), 60_000); })]);
  clearTimeout(timer);
  t.equal(code, 1, 'exits 1 instead of waiting for systemd\'s start timeout');
  t.match(d.stderr(), /NOTIFY_SOCKET is set .* sd-notify addon is not installed/, 'the one line names the addon and the fix');
  t.notOk(fs.existsSync(path.join(dir, 'run', 'admin.sock')), 'no socket was left listening');
});
