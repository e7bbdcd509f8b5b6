// Bombs handed to snapshot.import of a real hostagentd process, whose own peak RSS (VmHWM in
// /proc/PID/status) the tests read before and after.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Test } from 'tap';
import { RpcClient, RpcCallError } from '../../src/client/index.ts';
import { spawnDaemon, tempDir, writeDevConfig } from '../helpers/daemon.ts';
import { makeTenant, sharedTempDir } from '../helpers/tenant.ts';

export const MiB = 2 ** 20;

export interface ImportTarget {
  admin: RpcClient;
  pid: number;
  /** The daemon's peak resident memory so far, in bytes. */
  peakRss(): number;
  /** Snapshots registered for the account. */
  registered(): Promise<number>;
  /** Everything in the spool, recursively. */
  spool(): string[];
  /** A directory for the archives a test writes. */
  work: string;
}

/** A spawned daemon with an account `victim` (a real, empty tenant) to import into. */
export async function importTarget(t: Test, config: Record<string, unknown> = {}): Promise<ImportTarget> {
  const tenant = await makeTenant(t, { profile: 'empty', parent: sharedTempDir(t) });
  const dir = tempDir(t, 'hostagent-bomb-');
  writeDevConfig(dir, config);
  const d = spawnDaemon(t, ['--dev', dir]);
  await d.waitForSocket();
  const pid = d.child.pid!;
  const admin = await RpcClient.connect(path.join(dir, 'run', 'admin.sock'));
  t.teardown(() => admin.close());
  await admin.call('account.put', { name: 'victim', uid: tenant.uid, gid: tenant.gid, home: tenant.home });
  const spoolDir = path.join(dir, 'spool');
  return {
    admin, pid,
    peakRss: () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024,
    registered: async () => (await admin.call<{ snapshots: unknown[] }>('snapshot.list', { account: 'victim' })).snapshots.length,
    spool: () => (fs.existsSync(spoolDir) ? fs.readdirSync(spoolDir, { recursive: true }).map(String).sort() : []),
    work: sharedTempDir(t, 'hostagent-bomb-in-'),
  };
}

/** A run of one byte, for a body that compresses to almost nothing. */
export interface Run { byte: number; bytes: number }

/** Writes `pieces` gzip'd as one stream; runs (and a generator's pieces) are made as they are compressed. */
export async function writeGzip(file: string, pieces: Iterable<Buffer | Run>, level = 9): Promise<number> {
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const p of pieces) {
      if (Buffer.isBuffer(p)) { yield p; continue; }
      const block = Buffer.alloc(8 * MiB, p.byte);
      for (let left = p.bytes; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
    }
  }
  await pipeline(bytes(), zlib.createGzip({ level }), fs.createWriteStream(file));
  return fs.statSync(file).size;
}

/** The error code snapshot.import answers with, or 'imported'. */
export async function importOutcome(admin: RpcClient, file: string): Promise<string> {
  try {
    await admin.call('snapshot.import', { path: file, account: 'victim' });
    return 'imported';
  } catch (err) {
    if (err instanceof RpcCallError) return err.agentCode ?? err.message;
    throw err;
  }
}
