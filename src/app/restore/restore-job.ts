// The restore job: check the archive end to end, wait for the safety snapshot (in place), then
// bring back each requested part. Nothing is written before the integrity check passed.
import fs from 'node:fs';
import path from 'node:path';
import { AgentError, toAgentError } from '../../errors/index.ts';
import type { JobKind, JobRunContext, JobRecord } from '../../core/jobs/index.ts';
import type { Store } from '../../core/store.ts';
import type { AccountRow, BackupScope, SnapshotRow } from '../../core/model.ts';
import type { ArchiveSource } from '../../archive/index.ts';
import type { AgentConfig } from '../../config/index.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import type { RestorePartName } from '../../rpc/services.ts';
import type { Destination } from '../../core/destination.ts';
import { chooseVerifiedSource } from './restore-source.ts';
import { extractFiles, type ExtractStats } from '../../restore/extract-files.ts';
import { collectParts } from '../../restore/collect-parts.ts';
import { sharedRead } from '../../restore/shared-read.ts';
import { restoreMariadb, restorePostgresql, stagingDatabaseName } from '../../restore/databases.ts';
import { restoreMailbox } from '../../restore/mail.ts';
import { checkZone, writeZone } from '../../restore/dns.ts';
import { makeTenantDir } from '../../sources/common/index.ts';
import { RESTORE_WARNINGS } from '../../restore/warnings.ts';
import { removeTreeAs } from '../../restore/remove-tree-as.ts';
import { SCOPE_PARTS } from '../backup/backup-plan.ts';
import type { SpoolLayout } from '../backup/spool-layout.ts';

export interface RestoreJobParams {
  snapshotId: string;
  parts: RestorePartName[];
  mode: 'in-place' | 'staging';
  /** Admin only: where staged files go instead of `<home>-restore-<stamp>`. */
  path?: string;
  /** compactUtc of the request; names the staging places. */
  stamp: string;
  safetyJobId?: string;
  safetySnapshotId?: string;
  /** Read the snapshot from this destination only; default: the spool, then each destination. */
  source?: { destination: string };
}

export interface RestoreJobDeps {
  store: Store;
  events: EventBus;
  spool: SpoolLayout;
  config(): AgentConfig;
  /** A configured destination by name, wrapped with the retry policy. */
  openDestination(name: string): Promise<Destination>;
}

const SAFETY_POLL_MS = 200;

async function waitForSafety(store: Store, jobId: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    const j = store.jobs.get(jobId);
    if (!j) throw new AgentError('AGENT_E_CONFLICT', `the safety snapshot job ${jobId} is gone; nothing was restored`);
    if (j.status === 'succeeded') return;
    if (j.status !== 'queued' && j.status !== 'running') {
      throw new AgentError('AGENT_E_CONFLICT', `the safety snapshot failed (${j.errcode ?? j.status}: ${j.errtext ?? ''}); nothing was restored`, { data: { safetyJobId: jobId } });
    }
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, SAFETY_POLL_MS));
  }
}

/**
 * The directory the files go into. A staging place is made by whoever decides its path
 * (tenant-file.ts): root beside the home, then owned by the account; the account itself inside
 * a place the tenant can write, so no tenant-made link leads root elsewhere. `created` when
 * this restore made it.
 */
async function filesTarget(account: AccountRow, p: RestoreJobParams, signal: AbortSignal): Promise<{ dir: string; created: boolean }> {
  if (p.mode === 'in-place') return { dir: account.home, created: false };
  const dir = p.path ?? `${account.home}-restore-${p.stamp}`;
  let created: boolean;
  try {
    ({ created } = await makeTenantDir(dir, 0o700, { as: { uid: account.uid, gid: account.gid }, signal }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'ELOOP') throw new AgentError('AGENT_E_CONFLICT', `${dir} exists and is not a directory`, { data: { field: 'target.path' } });
    throw new AgentError('AGENT_E_INVALID', `${dir} cannot be made: ${(err as Error).message}`, { data: { field: 'target.path' }, cause: err });
  }
  if (!created && p.path === undefined) throw new AgentError('AGENT_E_CONFLICT', `${dir} already exists`, { data: { field: 'target' } });
  return { dir, created };
}

/**
 * A staging directory this restore made, whose files did not all arrive (failure, cancel), is
 * removed: half a tree is not a copy to rely on, and it occupies the account's disk.
 */
async function discardStaged(ctx: JobRunContext, target: { dir: string; created: boolean }, account: AccountRow): Promise<void> {
  if (!target.created) return;
  try {
    await removeTreeAs(target.dir, account.uid, account.gid);
  } catch (err) {
    ctx.warn({ code: RESTORE_WARNINGS.cleanup, path: target.dir, message: `the incomplete staging directory could not be removed: ${(err as Error).message}` });
  }
}

export function restoreJobKind(deps: RestoreJobDeps): JobKind {
  async function run(ctx: JobRunContext) {
    const job = ctx.job;
    const p = job.params as unknown as RestoreJobParams;
    const snap = deps.store.snapshots.get(p.snapshotId);
    if (!snap) throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${p.snapshotId} no longer exists`);
    const account = deps.store.accounts.get(job.account!);
    if (!account) throw new AgentError('AGENT_E_NOT_FOUND', `account ${job.account} no longer exists`);
    const cfg = deps.config();
    const inArchive = SCOPE_PARTS[snap.scope as BackupScope] ?? ['files', 'databases', 'mail', 'dns'];
    const parts = p.parts.filter((x) => inArchive.includes(x));
    const verified = await chooseVerifiedSource({
      snap, spool: deps.spool, from: p.source?.destination, openDestination: deps.openDestination, signal: ctx.signal, warn: (w) => ctx.warn(w),
      onTry: (origin) => ctx.progress({ phase: 'verifying', source: origin, bytesDone: 0, bytesTotal: snap.bytes }),
    });
    try {
      return await restoreFrom(ctx, verified.source, { p, snap, account, cfg, parts, gzipMembers: verified.checked.members });
    } finally {
      await verified.close();
    }
  }

  async function restoreFrom(ctx: JobRunContext, source: ArchiveSource, o: { p: RestoreJobParams; snap: SnapshotRow; account: AccountRow; cfg: AgentConfig; parts: RestorePartName[]; gzipMembers: boolean }) {
    const { p, snap, account, cfg, parts } = o;
    const job = ctx.job;
    const priority = { nice: cfg.jobs.nice, ioniceClass: cfg.jobs.ioniceClass };
    if (p.safetyJobId) {
      ctx.progress({ phase: 'safety-snapshot' });
      await waitForSafety(deps.store, p.safetyJobId, ctx.signal);
    }

    const workDir = deps.spool.workDir(job.id);
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const result: Record<string, unknown> = { snapshotId: snap.id, mode: p.mode, parts, source: source.origin, safetySnapshotId: p.safetySnapshotId ?? null };
    try {
      const others = parts.filter((x) => x !== 'files');
      // One more read of the archive, shared by the extractor and the collector of the other parts.
      const [forFiles, forParts] = parts.includes('files') && others.length ? sharedRead(source, 2) : [source, source];
      const stop = new AbortController();
      const signal = AbortSignal.any([ctx.signal, stop.signal]);
      const extracting = parts.includes('files') ? (async () => {
        ctx.progress({ phase: 'files', bytesDone: 0 });
        const target = await filesTarget(account, p, ctx.signal);
        let stats: ExtractStats;
        try {
          stats = await extractFiles({ source: forFiles!, root: target.dir, uid: account.uid, gid: account.gid, gzipMembers: o.gzipMembers, priority, signal: ctx.signal, warn: (w) => ctx.warn(w),
            onProgress: (bytes) => ctx.progress({ phase: 'files', bytesDone: bytes }),
          });
        } catch (err) {
          if (p.mode === 'staging') await discardStaged(ctx, target, account);
          throw err;
        }
        result.files = { path: target.dir, ...stats };
      })() : Promise.resolve();
      extracting.catch(() => stop.abort());
      const collecting = others.length ? collectParts({ source: forParts!, parts: others, workDir, signal, warn: (w) => ctx.warn(w) }) : Promise.resolve(null);
      const [files, collection] = await Promise.allSettled([extracting, collecting]);
      if (files.status === 'rejected') throw files.reason;
      if (collection.status === 'rejected') throw collection.reason;
      const collected = collection.value;
      if (collected) {
        const done = { databases: [] as string[], mailboxes: [] as Record<string, unknown>[], zones: [] as string[] };
        for (const [name, file] of collected.databases) {
          const def = (account.databases ?? []).find((d) => d.name === name);
          if (!def) {
            ctx.warn({ code: RESTORE_WARNINGS.notOwned, path: `databases/${name}.sql`, message: `database ${name} is not one of account ${account.name}'s; skipped` });
            continue;
          }
          if (!cfg.databases[def.engine].enabled) throw new AgentError('AGENT_E_INVALID', `databases.${def.engine} is disabled; database ${name} cannot be restored`, { data: { field: `databases.${def.engine}.enabled` } });
          const target = p.mode === 'in-place' ? name : stagingDatabaseName(name, p.stamp);
          ctx.progress({ phase: `databases/${name}` });
          const r = { engine: def.engine, database: target, ownerFrom: name, sqlFile: file, tmpDir: workDir, signal: ctx.signal };
          if (def.engine === 'mariadb') await restoreMariadb(cfg.databases.mariadb, r);
          else await restorePostgresql(cfg.databases.postgresql, r);
          done.databases.push(target);
        }
        for (const [address, dir] of collected.mailboxes) {
          const box = (account.mailboxes ?? []).find((m) => m.address === address);
          if (!box) {
            ctx.warn({ code: RESTORE_WARNINGS.notOwned, path: `mail/${address}`, message: `mailbox ${address} is not one of account ${account.name}'s; skipped` });
            continue;
          }
          ctx.progress({ phase: `mail/${address}` });
          const r = await restoreMailbox({
            address, exportDir: dir, maildir: box.maildir, owner: box.owner ?? account.uid,
            intoFolder: p.mode === 'staging' ? `Restored-${p.stamp}` : undefined, priority, signal: ctx.signal, warn: (w) => ctx.warn(w),
          });
          done.mailboxes.push({ address, ...r });
          if (p.mode === 'staging') result.mailFolder = `Restored-${p.stamp}`;
        }
        for (const [zone, file] of collected.zones) {
          const def = (account.zones ?? []).find((z) => z.name.toLowerCase().replace(/\.$/, '') === zone);
          if (!def) {
            ctx.warn({ code: RESTORE_WARNINGS.notOwned, path: `dns/${zone}.zone`, message: `zone ${zone} is not one of account ${account.name}'s; skipped` });
            continue;
          }
          try {
            await checkZone(zone, file, ctx.signal);
          } catch (err) {
            // A zone that does not validate is never written; the rest of the restore goes on.
            const e = toAgentError(err);
            if (e.code !== 'AGENT_E_INVALID') throw e;
            ctx.warn({ code: RESTORE_WARNINGS.dns, path: `dns/${zone}.zone`, message: e.message });
            continue;
          }
          const target = p.mode === 'in-place' ? def.file : path.join(path.dirname(def.file), `${path.basename(def.file)}.restore-${p.stamp}`);
          await writeZone(fs.readFileSync(file), target, { as: { uid: account.uid, gid: account.gid }, priority, signal: ctx.signal });
          done.zones.push(target);
        }
        Object.assign(result, done);
      }
    } finally {
      deps.spool.removeWorkDir(job.id);
    }
    return result;
  }

  return {
    async run(ctx: JobRunContext) {
      try {
        const result = await run(ctx);
        deps.events.publish({ type: 'restore.finished', account: ctx.job.account, payload: { jobId: ctx.job.id, status: 'succeeded', ...result } });
        return { result };
      } catch (err) {
        const e = toAgentError(err);
        deps.events.publish({ type: 'restore.finished', account: ctx.job.account, payload: { jobId: ctx.job.id, status: 'failed', snapshotId: (ctx.job.params as { snapshotId?: string }).snapshotId ?? null, errcode: e.code, errtext: e.message } });
        throw err;
      }
    },
    cleanup(job: JobRecord) {
      deps.spool.removeWorkDir(job.id);
    },
  };
}
