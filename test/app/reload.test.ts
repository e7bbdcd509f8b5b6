import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { RpcClient } from '../../src/client/index.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';

interface Status { queue: { concurrency: number } }

t.test('SIGHUP reloads without dropping connections; a bad config is refused and the old one kept', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir, { log: { level: 'info' } });
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const c = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  t.teardown(() => c.close());
  t.equal((await c.call<Status>('agent.status')).queue.concurrency, 2);

  const cfgFile = path.join(dir, 'agent.json');
  const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, Record<string, unknown>>;
  cfg.jobs = { concurrency: 5 };
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  d.child.kill('SIGHUP');
  const waitFor = async (pred: (s: Status) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const s = await c.call<Status>('agent.status');
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out');
  };
  t.equal((await waitFor((s) => s.queue.concurrency === 5)).queue.concurrency, 5, 'new limit applied on the same connection');

  fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, jobs: { concurrency: 'many' } }));
  d.child.kill('SIGHUP');
  for (let i = 0; i < 100 && !d.stdout().includes('config reload refused'); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(d.stdout(), /config reload refused; keeping the running config/);
  t.match(d.stdout(), /jobs\.concurrency: must be integer/);
  t.equal((await c.call<Status>('agent.status')).queue.concurrency, 5, 'old config kept, connection alive');

  const viaRpc = await c.call<{ ok: boolean; error?: string }>('agent.reload');
  t.equal(viaRpc.ok, false);
  t.match(viaRpc.error, /jobs\.concurrency/);
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0);
});
