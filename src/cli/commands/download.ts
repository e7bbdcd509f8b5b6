import fs from 'node:fs';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { OutcomeFailed, UsageError, type Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { ProgressBar } from '../progress.ts';

interface Status { sockets?: { download: string } }

/** Streams a snapshot through the daemon's download endpoint, the way a panel would. */
export const downloadCommand: Command = {
  name: 'download',
  summary: 'Download a snapshot through a fresh link, checking its sha256.',
  usage: 'agentctl download SNAPSHOT [-o FILE] [--force]   (default: the archive name in the current directory; - for stdout; the file is written 0600, an existing one only with --force)',
  examples: ['agentctl download SNAPSHOT -o shop.tar.gz', 'agentctl download SNAPSHOT -o - | tar -tzf -'],
  methods: ['snapshot.get', 'download.create', 'agent.status'],
  async run(args, ctx) {
    const { values: o, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
    const [snapshotId] = positionals;
    if (!snapshotId || positionals.length !== 1) throw new UsageError('download takes SNAPSHOT');
    if (o.output && o.output !== '-' && !o.force && fs.existsSync(o.output)) throw new OutcomeFailed(`${o.output} exists; pass --force to overwrite it`);
    const client = await ctx.client();
    const snap = await client.call<{ sha256: string; bytes: number; parts: string[] }>('snapshot.get', { snapshotId });
    const session = `agentctl-${randomBytes(16).toString('hex')}`;
    const link = await client.call<{ path: string }>('download.create', { snapshotId, session });
    const status = await client.call<Status>('agent.status');
    if (!status.sockets) throw new UsageError('download needs the admin socket');
    const target = o.output ?? snap.parts[0]!.replace(/\.part\d+$/, '');
    if (target !== '-' && !o.force && fs.existsSync(target)) throw new OutcomeFailed(`${target} exists; pass --force to overwrite it`);
    // 0600: the archive holds wp-config.php and SQL dumps. An overwritten file is narrowed too.
    const out = target === '-' ? process.stdout : fs.createWriteStream(target, { flags: o.force ? 'w' : 'wx', mode: 0o600 });
    if (out !== process.stdout) (out as fs.WriteStream).on('open', (fd) => fs.fchmodSync(fd, 0o600));
    const hash = createHash('sha256');
    const bar = new ProgressBar();
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ socketPath: status.sockets!.download, path: link.path, headers: { 'x-hostagent-session': session } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`download failed: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          received += chunk.length;
          bar.update(target, received, snap.bytes);
        });
        res.pipe(out);
        out.on('finish', () => resolve());
        res.on('error', reject);
      });
      req.on('error', reject);
      if (out !== process.stdout) (out as fs.WriteStream).on('error', reject);
    });
    bar.done();
    const sha256 = hash.digest('hex');
    if (sha256 !== snap.sha256) throw new Error(`sha256 mismatch: got ${sha256}, expected ${snap.sha256}`);
    if (target !== '-') ctx.err(`${target}: ${received} bytes, sha256 ${sha256} verified`);
  },
};
