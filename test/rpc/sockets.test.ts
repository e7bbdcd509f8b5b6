import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { RpcClient } from '../../src/client/index.ts';
import { IS_ROOT } from '../helpers/peer.ts';
import { spawnDaemon, startDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';

t.test('sockets are created with their modes and the panel group', async (t) => {
  const group = `hatg${process.pid % 100000}`;
  if (IS_ROOT) {
    execFileSync('groupadd', ['-f', group]);
    t.teardown(() => { try { execFileSync('groupdel', [group]); } catch { /* gone */ } });
  }
  const panelGroup = IS_ROOT ? group : null;
  const d = await startDaemon(t, { config: { rpc: { panelGroup } } });
  const admin = fs.statSync(d.daemon.config.rpc.adminSocket);
  const panel = fs.statSync(d.daemon.config.rpc.panelSocket);
  const download = fs.statSync(d.daemon.config.download.socket);
  t.ok(admin.isSocket() && panel.isSocket() && download.isSocket());
  t.equal(admin.mode & 0o777, 0o600, 'admin socket 0600');
  t.equal(panel.mode & 0o777, 0o660, 'panel socket 0660');
  t.equal(download.mode & 0o777, 0o660, 'download socket 0660');
  if (IS_ROOT) {
    const gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
    t.equal(panel.gid, gid, 'panel socket owned by the configured group');
    t.equal(download.gid, gid, 'download socket owned by the configured group');
    t.equal(admin.gid, 0, 'admin socket keeps root group');
  }
  t.equal(fs.statSync(d.daemon.config.paths.spool).mode & 0o777, 0o700, 'spool is 0700');
});

t.test('a socket group that does not exist is a clear start-up error', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir, { rpc: { panelGroup: 'no-such-group-hat' } });
  const d = spawnDaemon(t, ['--dev', dir]);
  t.equal(await d.exited, 78);
  t.match(d.stderr(), /group no-such-group-hat of socket .* does not exist/);
});

t.test('a stale socket file is replaced', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const sock = path.join(dir, 'run', 'admin.sock');
  fs.mkdirSync(path.dirname(sock), { recursive: true });
  // A socket nobody listens on any more, as a crashed daemon leaves it.
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  t.ok(fs.existsSync(sock), 'stale socket file present');
  const d = await startDaemon(t, { dir });
  const c = await d.admin();
  t.ok((await c.call<{ pid: number }>('agent.status')).pid > 0, 'daemon answers on the replaced socket');
});

t.test('a second daemon on the same sockets exits with a clear error', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const first = spawnDaemon(t, ['--dev', dir]);
  await first.waitForSocket();
  const second = spawnDaemon(t, ['--dev', dir]);
  t.equal(await second.exited, 73);
  t.match(second.stderr(), /another hostagentd is already listening on .*admin\.sock/);
  const c = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  t.equal((await c.call<{ pid: number }>('agent.status')).pid, first.child.pid, 'the first daemon still serves');
  c.close();
  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0);
});

t.test('a regular file where a socket should be is never deleted', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const sock = path.join(dir, 'run', 'admin.sock');
  fs.mkdirSync(path.dirname(sock), { recursive: true });
  fs.writeFileSync(sock, 'precious');
  const d = spawnDaemon(t, ['--dev', dir]);
  t.equal(await d.exited, 73);
  t.match(d.stderr(), /exists and is not a socket/);
  t.equal(fs.readFileSync(sock, 'utf8'), 'precious');
});
