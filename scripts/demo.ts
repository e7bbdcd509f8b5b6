// The README's demo: a throwaway directory, a sample hosting account, hostagentd in --dev mode,
// one snapshot taken, verified and offered through a session-bound download link, then a clean stop.
//   bash scripts/demo.sh [--keep]   (--keep leaves the directory and daemon state for a look around)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { RpcClient } from '../src/client/index.ts';
import { makeSampleAccount } from '../src/sample/make-account.ts';
import { nodeForUnprivilegedChildren } from '../src/sources/common/node-for-children.ts';

const keep = process.argv.includes('--keep');
const repo = path.resolve(import.meta.dirname, '..');
const say = (s: string) => process.stdout.write(`${s}\n`);
const isRoot = process.getuid?.() === 0;

/** Whether a user with no special rights can read the repository (to run the daemon as one). */
function readableByOthers(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o005) !== 0o005) return false;
    if (d === path.dirname(d)) return true;
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostagent-demo-'));
fs.chmodSync(dir, 0o755);
const home = path.join(dir, 'home', 'demo');
const stateDir = path.join(dir, 'agent');
let user: string | null = null;
let uid = process.getuid!();
let gid = process.getgid!();

const cleanup = () => {
  if (user) try { execFileSync('userdel', [user], { stdio: 'ignore' }); } catch { /* gone */ }
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
};

try {
  say(`== hostagent demo in ${dir}`);
  const sample = makeSampleAccount(home, 'small');
  say(`sample account: ${sample.files} files, ${(sample.bytes / 1048576).toFixed(1)} MiB in ${home}`);
  // As root, the account and the daemon get a throwaway user, so the daemon runs unprivileged
  // and reads the account as its owner.
  const dropPrivileges = isRoot && readableByOthers(repo);
  if (isRoot) {
    user = `hademo${process.pid % 100000}`;
    execFileSync('useradd', ['-r', '-M', '-U', '-d', home, '-s', '/usr/sbin/nologin', user]);
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    execFileSync('chown', ['-hR', `${uid}:${gid}`, path.join(dir, 'home')]);
    fs.mkdirSync(stateDir, { mode: 0o700 });
    if (dropPrivileges) fs.chownSync(stateDir, uid, gid);
  }

  const daemon = spawn(dropPrivileges ? nodeForUnprivilegedChildren() : process.execPath, [path.join(repo, 'bin/hostagentd.ts'), '--dev', stateDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(dropPrivileges ? { uid, gid } : {}),
  });
  let daemonLog = '';
  daemon.stdout!.on('data', (d: Buffer) => { daemonLog += d.toString(); });
  const exited = new Promise<number | null>((r) => daemon.on('exit', (code) => r(code)));
  say(`hostagentd --dev ${stateDir} (pid ${daemon.pid}, ${dropPrivileges || !isRoot ? `unprivileged, uid ${dropPrivileges ? uid : process.getuid!()}` : 'as root: the repository is not readable by other users'})`);

  const adminSock = path.join(stateDir, 'run', 'admin.sock');
  let admin: RpcClient | null = null;
  for (let i = 0; i < 200 && !admin; i++) {
    admin = await RpcClient.connect(adminSock, 500).catch(() => null);
    if (!admin) await new Promise((r) => setTimeout(r, 50));
  }
  if (!admin) throw new Error(`the daemon did not start:\n${daemonLog}`);
  const status = await admin.call<{ version: string; schemaVersion: number; privileged: boolean }>('agent.status');
  say(`agent.status: version ${status.version}, schema ${status.schemaVersion}, privileged ${status.privileged}`);

  await admin.call('package.put', { name: 'demo-plan', tenantBackups: { enabled: true, perDay: 1 } });
  await admin.call('account.put', { name: 'demo', uid, gid, home, package: 'demo-plan', docroots: ['public_html'], excludes: ['logs/*.log'] });
  say('account.put demo: ok');

  // As a panel would: on the panel socket, on behalf of the tenant.
  const panel = await RpcClient.connect(path.join(stateDir, 'run', 'agent.sock'));
  const actor = { account: 'demo', session: `demo-session-${randomBytes(8).toString('hex')}` };
  let ready: (v: unknown) => void = () => undefined;
  const snapshotReady = new Promise((r) => { ready = r; });
  let created = false;
  panel.onNotification((method, params) => {
    if (method === 'job.progress' && created) process.stdout.write(`\r  ${(params as { phase: string }).phase}: ${(((params as { bytesDone: number }).bytesDone ?? 0) / 1048576).toFixed(1)} MiB   `);
    if (method === 'snapshot.ready') ready(params);
  });
  await panel.call('events.subscribe', { actor });
  const { snapshotId } = await panel.call<{ jobId: string; snapshotId: string }>('backup.create', { account: 'demo', actor });
  say(`backup.create: snapshot ${snapshotId}`);
  created = true;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([snapshotReady, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the snapshot took too long')), 120_000); })]);
  clearTimeout(timer);
  process.stdout.write('\n');
  const snap = await admin.call<{ path: string; bytes: number; sha256: string; files: number }>('snapshot.get', { snapshotId });
  const verified = await admin.call<{ ok: boolean }>('snapshot.verify', { snapshotId });
  say(`snapshot: ${snap.path}`);
  say(`  ${snap.files} files, ${snap.bytes} bytes, sha256 ${snap.sha256}, verify ${verified.ok ? 'ok' : 'FAILED'}`);

  const link = await panel.call<{ url: string; path: string; expiresAt: string }>('download.create', { snapshotId, actor });
  const downloadSock = path.join(stateDir, 'run', 'download.sock');
  const out = path.join(dir, 'download.tar.gz');
  const curl = `curl -sS --unix-socket ${downloadSock} -H 'X-Hostagent-Session: ${actor.session}' -o ${out} '${link.url}'`;
  say(`download link (valid until ${link.expiresAt}, only for session ${actor.session}):`);
  say(`  ${link.url}`);
  say(`fetch it with:\n  ${curl}`);
  execFileSync('sh', ['-c', curl], { stdio: 'inherit' });
  const got = execFileSync('sha256sum', [out], { encoding: 'utf8' }).split(' ')[0];
  say(`downloaded ${fs.statSync(out).size} bytes, sha256 ${got === snap.sha256 ? 'matches' : 'DIFFERS'}`);
  if (got !== snap.sha256) process.exitCode = 1;

  if (process.stdin.isTTY) {
    say('\nThe daemon is still running: try the curl command above. Press Enter to stop the demo.');
    await new Promise((r) => process.stdin.once('data', r));
  }
  panel.close();
  admin.close();
  daemon.kill('SIGTERM');
  const code = await exited;
  say(`hostagentd stopped (exit ${code})${keep ? `; state kept in ${dir}` : ''}`);
  if (code !== 0) process.exitCode = 1;
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
  process.stdin.unref?.();
}
