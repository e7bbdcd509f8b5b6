import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RpcClient } from '../../src/client/index.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';

t.test('SIGTERM stops accepting, removes the sockets, closes the database and exits 0', async (t) => {
  const dir = tempDir(t);
  writeDevConfig(dir);
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const c = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  await c.call('agent.status');
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0);
  for (const s of ['admin.sock', 'agent.sock', 'download.sock']) t.notOk(fs.existsSync(path.join(dir, 'run', s)), `${s} removed`);
  t.notOk(fs.existsSync(path.join(dir, 'state', 'agent.db-wal')) && fs.statSync(path.join(dir, 'state', 'agent.db-wal')).size > 0, 'WAL checkpointed on close');
  const db = new Database(path.join(dir, 'state', 'agent.db'), { readonly: true });
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  c.close();
});
