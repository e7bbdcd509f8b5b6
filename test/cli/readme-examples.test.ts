// Every agentctl example in the README's agentctl section, run in the README's order through the
// real binary against a real daemon, a real MariaDB and an S3 server. Only what names this machine
// is replaced: the tenant's uid, gid and home, the zone file, the S3 endpoint and its credentials,
// and SNAPSHOT / JOB / METHOD, which the README leaves for the reader to fill in.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { IS_ROOT, requirePeer } from '../helpers/peer.ts';
import { AGENTCTL, REPO, startDaemon, tempDir } from '../helpers/daemon.ts';
import { makeTenant, waitFor } from '../helpers/tenant.ts';
import { mariadbAvailable, startMariadb } from '../peers/mariadb.ts';
import { startS3, type S3Peer } from '../peers/s3.ts';

t.setTimeout(600_000);

/** The `agentctl ...` lines of the README's agentctl section, as shell words, comments dropped. */
export function readmeAgentctlExamples(readme: string): string[][] {
  const section = readme.slice(readme.indexOf('\n## agentctl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((l) => l.startsWith('agentctl ')).map(shellWords);
}

/** Splits a line as sh would for the forms the README uses: blanks, single quotes, `#` comments. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === ' ' || ch === '\t') {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (ch === '#' && cur === null) {
      break;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== null) words.push(cur);
  return words.slice(1);
}

function run(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGENTCTL, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('the README lists agentctl examples to run', async (t) => {
  const examples = readmeAgentctlExamples(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));
  t.ok(examples.length >= 20, `${examples.length} examples`);
  t.ok(examples.some((w) => w.includes('SNAPSHOT')) && examples.some((w) => w.includes('JOB')), 'placeholders are the ones this test fills in');
});

const mdbAvail = mariadbAvailable();
if (requirePeer(t, 'root (real Unix users)', IS_ROOT, 'tests create Unix users') && requirePeer(t, 'mariadb', mdbAvail.ok, mdbAvail.why)) {
  t.test('every README agentctl example works as written', async (t) => {
    let s3: S3Peer | undefined;
    let why = '';
    try { s3 = await startS3(); } catch (err) { why = (err as Error).message; }
    if (!requirePeer(t, 's3rver', !!s3, why)) return;
    t.teardown(() => s3!.close());
    const mdb = await startMariadb();
    t.teardown(() => mdb.stop());
    await mdb.sql(`CREATE DATABASE shop_wp; USE shop_wp; CREATE TABLE posts (id INT PRIMARY KEY, title TEXT);
      INSERT INTO posts VALUES (1, 'hello'), (2, 'world'); CREATE USER shop_wp@localhost; GRANT ALL ON shop_wp.* TO shop_wp@localhost;`);

    const d = await startDaemon(t, { config: { databases: { mariadb: mdb.config }, restore: { safetySnapshot: false } } });
    const tenant = await makeTenant(t, { profile: 'small' });
    const cwd = tempDir(t, 'hostagent-readme-');
    const zoneDir = tempDir(t, 'hostagent-zones-');
    const zoneFile = path.join(zoneDir, 'db.shop.example');
    fs.writeFileSync(zoneFile, '$TTL 3600\n@ IN SOA ns1.shop.example. hostmaster.shop.example. 1 7200 3600 1209600 3600\n@ IN NS ns1.shop.example.\nns1 IN A 192.0.2.1\n');
    const secretFile = path.join(cwd, 's3.secret');
    fs.writeFileSync(secretFile, s3!.secretAccessKey, { mode: 0o600 });

    const admin = await d.admin();
    const panel = await d.panel();
    const latestSnapshot = async () => {
      const r = await admin.call<{ snapshots: { snapshotId: string; createdAt: string }[] }>('snapshot.list', { account: 'shop' });
      return [...r.snapshots].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!.snapshotId;
    };
    const fill = async (words: string[]): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (w === 'METHOD') { out.push('agent.status'); i = words.length; continue; } // `call METHOD [JSON | -]`
        if ((words[i - 1] === '--uid' || words[i - 1] === '--gid') && w === '1001') out.push(String(words[i - 1] === '--uid' ? tenant.uid : tenant.gid));
        else if (w === '/home/shop') out.push(tenant.home);
        else if (w === 'shop.example:/etc/bind/db.shop.example') out.push(`shop.example:${zoneFile}`);
        else if (w.startsWith('bucket=')) out.push(`bucket=${s3!.bucket}`);
        else if (w.startsWith('endpoint=')) out.push(`endpoint=${s3!.endpoint}`, 'protocol=http', 'forcePathStyle=true');
        else if (w.startsWith('accessKeyId=')) out.push(`accessKeyId=${s3!.accessKeyId}`);
        else if (w.startsWith('secretAccessKey=@')) out.push(`secretAccessKey=@${secretFile}`);
        else if (w === 'SNAPSHOT') out.push(await latestSnapshot());
        else if (w === 'JOB') {
          // A tenant's restore that waits for an admin, as the panel makes one.
          const r = await panel.call<{ jobId: string; status: string }>('restore.create', { snapshotId: await latestSnapshot(), target: { mode: 'staging' }, parts: ['files'], actor: { account: 'shop', session: 's-readme' } });
          t.equal(r.status, 'pending', 'the tenant restore waits for approval');
          out.push(r.jobId);
        } else out.push(w);
      }
      return out;
    };

    const examples = readmeAgentctlExamples(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));
    for (const words of examples) {
      const args = await fill(words);
      const r = await run(['--dev', d.dir, ...args], cwd);
      t.equal(r.status, 0, `agentctl ${words.join(' ')}\n${r.stderr}${r.stdout.slice(0, 2000)}`);
    }

    // What the examples did, read back from the daemon and the files they wrote.
    const download = path.join(cwd, 'shop.tar.gz');
    t.equal(fs.statSync(download).mode & 0o777, 0o600, 'the download is written 0600');
    // The in-place restore and the approved one run on after their commands return.
    const restores = await waitFor(async () => {
      const jobs = await admin.call<{ jobs: { kind: string; status: string }[] }>('job.list', { account: 'shop' });
      const r = jobs.jobs.filter((j) => j.kind === 'restore').map((j) => j.status);
      return r.some((s) => s === 'queued' || s === 'running') ? undefined : r;
    }, 300_000, 'the restores to end');
    t.same(restores, ['succeeded', 'succeeded', 'succeeded'], 'the staging, in-place and approved restores succeeded');
    t.equal((await mdb.sql('SELECT title FROM posts ORDER BY id', 'shop_wp')).trim(), 'hello\nworld', 'the database is whole after the in-place restore');
  });
}
