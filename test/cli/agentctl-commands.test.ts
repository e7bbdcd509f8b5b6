// The daily commands through the real binary against a real daemon: package, job, destination,
// schedule, events, reload, account capabilities; each with a table by default and --json.
import t from 'tap';
import { spawn } from 'node:child_process';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { AGENTCTL, startDaemon, tempDir } from '../helpers/daemon.ts';
import { agentctl } from '../helpers/agentctl.ts';
import { makeTenant } from '../helpers/tenant.ts';

if (!requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users')) t.end();

t.test('package, account capabilities, job, destination, schedule, events, reload', async (t) => {
  const d = await startDaemon(t);
  const g = ['--dev', d.dir];
  const tenant = await makeTenant(t, { profile: 'empty' });

  const pput = await agentctl([...g, 'package', 'put', 'basic', '--tenant-backups', 'on', '--per-day', '2', '--tenant-restore', 'auto']);
  t.equal(pput.status, 0, pput.stderr);
  t.match(pput.stdout, /^tenantBackups\.enabled\s+true$/m, 'a table of the saved package, nested keys spelled out');
  t.match(pput.stdout, /^tenantRestore\s+auto$/m);
  t.equal((await agentctl([...g, 'package', 'put', 'basic', '--tenant-restore', 'sometimes'])).status, 2, 'an enum outside the descriptor is a usage error');
  t.equal((await agentctl([...g, 'package', 'put', 'spare'])).status, 0);
  const plist = await agentctl([...g, 'package', 'list']);
  t.equal(plist.status, 0, plist.stderr);
  t.match(plist.stdout, /^PACKAGE\s+TENANT BACKUPS/m);
  t.match(plist.stdout, /^basic\s+2\/day\s+900\s+auto\s+0$/m);
  t.match(plist.stdout, /^spare\s+off\s/m);
  const pget = await agentctl([...g, '--json', 'package', 'get', 'basic']);
  t.match(JSON.parse(pget.stdout), { name: 'basic', tenantBackups: { enabled: true, perDay: 2 }, accounts: 0 });

  const aput = await agentctl([...g, 'account', 'put', 'shop', '--uid', String(tenant.uid), '--gid', String(tenant.gid), '--home', tenant.home, '--package', 'basic']);
  t.equal(aput.status, 0, aput.stderr);
  const caps = await agentctl([...g, 'account', 'capabilities', 'shop']);
  t.equal(caps.status, 0, caps.stderr);
  t.match(caps.stdout, /^canBackup\s+true$/m);
  t.match(caps.stdout, /^perDay\s+2$/m);
  const inUse = await agentctl([...g, 'package', 'delete', 'basic']);
  t.equal(inUse.status, 1, 'a package an account uses is not deleted');
  t.match(inUse.stderr, /AGENT_E_CONFLICT/);
  const pdel = await agentctl([...g, 'package', 'delete', 'spare']);
  t.equal(pdel.status, 0, pdel.stderr);
  t.equal(pdel.stdout, 'package spare deleted\n');
  t.match((await agentctl([...g, 'package', 'get', 'spare'])).stderr, /AGENT_E_NOT_FOUND/);

  // events: a watcher started before the backup sees its job.finished, then stops by itself.
  const watcher = spawn(process.execPath, [AGENTCTL, ...g, 'events', '--type', 'job.finished', '--account', 'shop', '--count', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let events = '';
  let watcherErr = '';
  watcher.stdout.on('data', (b: Buffer) => { events += b.toString(); });
  const listening = new Promise<void>((resolve) => watcher.stderr.on('data', (b: Buffer) => { watcherErr += b.toString(); if (watcherErr.includes('listening')) resolve(); }));
  const watcherExit = new Promise<number | null>((resolve) => watcher.on('close', resolve));
  await listening;
  const backup = await agentctl([...g, '--json', 'backup', 'create', 'shop', '--scope', 'configuration', '--wait']);
  t.equal(backup.status, 0, backup.stderr);
  const jobId = (JSON.parse(backup.stdout) as { jobId: string }).jobId;
  t.equal(await watcherExit, 0, `events --count 1 exits 0 after one event: ${watcherErr}`);
  const lines = events.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 1);
  t.match(lines[0], { event: 'job.finished', jobId, account: 'shop' });

  const jlist = await agentctl([...g, 'job', 'list', '--account', 'shop']);
  t.equal(jlist.status, 0, jlist.stderr);
  t.match(jlist.stdout, new RegExp(`^${jobId}\\s+backup\\s+shop\\s+succeeded`, 'm'));
  t.same((JSON.parse((await agentctl([...g, '--json', 'job', 'list', '--status', 'failed'])).stdout) as { jobs: unknown[] }).jobs, [], '--status filters');
  t.equal((await agentctl([...g, 'job', 'list', '--limit', 'many'])).status, 2);
  const jget = await agentctl([...g, 'job', 'get', jobId]);
  t.equal(jget.status, 0, jget.stderr);
  t.match(jget.stdout, /^status\s+succeeded$/m);
  t.match(jget.stdout, /^result\.snapshotId\s+\S+$/m, 'a backup job shows the snapshot it made');
  const cancel = await agentctl([...g, 'job', 'cancel', jobId]);
  t.equal(cancel.status, 1, 'a finished job cannot be cancelled');
  t.match(cancel.stderr, /AGENT_E_CONFLICT/);

  const dir = tempDir(t, 'hostagent-dest-');
  t.equal((await agentctl([...g, 'destination', 'put', 'here', 'local', `directory=${dir}`])).status, 0);
  const dget = await agentctl([...g, 'destination', 'get', 'here']);
  t.equal(dget.status, 0, dget.stderr);
  t.match(dget.stdout, /^type\s+local$/m);
  t.match(dget.stdout, new RegExp(`^settings\\.directory\\s+${dir}$`, 'm'));
  t.equal((await agentctl([...g, 'schedule', 'put', 'nightly', '--cron', '0 3 * * *', '--account', 'shop', '--dest', 'here'])).status, 0);
  const sget = await agentctl([...g, 'schedule', 'get', 'nightly']);
  t.equal(sget.status, 0, sget.stderr);
  t.match(sget.stdout, /^cron\s+0 3 \* \* \*$/m);
  t.match(sget.stdout, /^nextFires\s+\S+T03:00:00\.000Z, /m);
  t.match(JSON.parse((await agentctl([...g, '--json', 'schedule', 'get', 'nightly'])).stdout), { id: 'nightly', target: { account: 'shop' } });
  t.match((await agentctl([...g, 'destination', 'delete', 'here'])).stderr, /AGENT_E_CONFLICT/, 'a destination a schedule uses stays');
  t.equal((await agentctl([...g, 'schedule', 'delete', 'nightly'])).stdout, 'schedule nightly deleted\n');
  t.equal((await agentctl([...g, 'destination', 'delete', 'here'])).stdout, 'destination here deleted\n');
  t.match((await agentctl([...g, 'destination', 'get', 'here'])).stderr, /AGENT_E_NOT_FOUND/);

  const reload = await agentctl([...g, 'reload']);
  t.equal(reload.status, 0, reload.stderr);
  t.equal(reload.stdout, 'configuration reloaded\n');
});

t.test('help, unknown flags and missing subcommands', async (t) => {
  const help = await agentctl(['help', 'job']);
  t.equal(help.status, 0);
  t.match(help.stdout, /^usage: agentctl job list \[--account ACCOUNT\] \[--status pending\|rejected\|queued\|running\|succeeded\|failed\|cancelled\] \[--limit N\]$/m);
  t.match(help.stdout, /^examples:\n {2}agentctl job list --status failed --limit 20$/m);
  t.same((await agentctl(['job', 'get', '--help'])).stdout, help.stdout, 'CMD ... --help is help CMD');
  t.equal((await agentctl(['help', 'frobnicate'])).status, 2);

  // No daemon is needed to reject these: usage is checked before connecting.
  const none = ['--socket', '/nonexistent/admin.sock'];
  const flag = await agentctl([...none, 'package', 'get', 'basic', '--frob']);
  t.equal(flag.status, 2);
  t.match(flag.stderr, /Unknown option '--frob'/, 'names the flag');
  t.match(flag.stderr, /^usage: agentctl package put NAME/m, 'and prints the command\'s usage');
  t.match(flag.stderr, /^ {7}agentctl package get NAME$/m);
  for (const [cmd, subs] of [['job', 'list, get, cancel'], ['package', 'put, get, list, delete'], ['destination', 'put, get, list, test, delete'],
    ['schedule', 'put, get, list, run, next, delete'], ['restore', 'pending, approve, reject, import']] as const) {
    const r = await agentctl([...none, cmd]);
    t.equal(r.status, 2, `${cmd} without a subcommand`);
    t.match(r.stderr, new RegExp(`^agentctl: ${cmd} needs .*a subcommand: ${subs}$`, 'm'));
  }
  const unknown = await agentctl([...none, 'job', 'frob']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /job: unknown subcommand frob; subcommands: list, get, cancel/);
  t.match((await agentctl([...none, 'status', '--frob'])).stderr, /Unknown option '--frob'/, 'commands without flags refuse them too');
});
