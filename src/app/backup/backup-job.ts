import fs from 'node:fs';
import path from 'node:path';
import { writeAccountArchive, archiveName } from '../../archive/index.ts';
import { AgentError } from '../../errors/index.ts';
import type { JobKind, JobRunContext, JobRecord } from '../../core/jobs/index.ts';
import type { Store } from '../../core/store.ts';
import type { BackupOptions, SnapshotLocation, SnapshotRow } from '../../core/model.ts';
import type { AgentConfig } from '../../config/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import { homeFacts } from '../../sources/home-facts/home-facts.ts';
import { buildManifest, SCOPE_PARTS } from './backup-plan.ts';
import { partEntries } from './part-entries.ts';
import type { SpoolLayout } from './spool-layout.ts';
import type { UploadRequest } from './upload.ts';
import type { StreamedUpload } from './streamed-upload.ts';

export interface BackupJobParams extends BackupOptions {
  createdAt: number;
}

export interface BackupJobDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  spool: SpoolLayout;
  version: string;
  config(): AgentConfig;
  /** Hours a tenant snapshot stays in the spool. */
  temporaryHours(): number;
  /** The sink that streams the archive to its destinations as it is written (src/app/backup/upload.ts). */
  openUpload?(req: UploadRequest): Promise<StreamedUpload>;
  /** After a run's snapshot is recorded: retention of the schedule that queued it. Never fails the job. */
  afterStored?(job: JobRecord, snapshot: SnapshotRow): Promise<void>;
}

/**
 * account_full: sources stream through the archive writer into the spool and, at the same time,
 * to the snapshot's destinations; the snapshot row is written only after the archive is complete,
 * its sha256 known and every copy verified, so nothing half-made is listed.
 */
export function backupJobKind(deps: BackupJobDeps): JobKind {
  return {
    async run(ctx: JobRunContext) {
      const job = ctx.job;
      const p = job.params as unknown as BackupJobParams;
      const snapshotId = job.snapshotId!;
      const account = deps.store.accounts.get(job.account!);
      if (!account) throw new AgentError('AGENT_E_NOT_FOUND', `account ${job.account} no longer exists`);
      const cfg = deps.config();
      const priority = { nice: cfg.jobs.nice, ioniceClass: cfg.jobs.ioniceClass };
      const parts = SCOPE_PARTS[p.scope];
      ctx.progress({ phase: 'preparing', bytesDone: 0 });
      const facts = parts.includes('files')
        ? await homeFacts({ home: account.home, uid: account.uid, gid: account.gid, docroots: account.docroots ?? [], excludes: account.excludes ?? [], priority, signal: ctx.signal })
        : { files: 0, bytes: 0, gitHeads: {} };
      const workDir = deps.spool.workDir(job.id);
      fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
      const name = archiveName({ prefix: p.prefix ?? '', account: account.name, kind: 'account_full', createdAt: p.createdAt, snapshotId, compression: p.compression });
      let phase = 'files';
      const started = Date.now();
      const destinations = p.destinations ?? [];
      const outPath = deps.spool.archivePath(name);
      // A scheduled snapshot may skip the spool altogether (scheduler.streamOnly).
      const localCopy = !(job.trigger === 'schedule' && cfg.scheduler.streamOnly);
      let upload: StreamedUpload | undefined;
      try {
        if (destinations.length) {
          if (!deps.openUpload) throw new AgentError('AGENT_E_INTERNAL', 'this daemon cannot upload to destinations');
          upload = await deps.openUpload({ snapshotId, destinations, outPath, splitSize: p.splitSize, localCopy, signal: ctx.signal, log: ctx.log });
        }
        const result = await writeAccountArchive({
          outPath,
          compression: p.compression,
          level: p.compression === 'gzip' ? cfg.archive.gzipLevel : cfg.archive.zstdLevel,
          splitSize: p.splitSize,
          sink: upload,
          manifest: buildManifest({ account, snapshotId, createdAt: p.createdAt, scope: p.scope, trigger: job.trigger, note: p.note ?? null, compression: p.compression, agentVersion: deps.version, gitHeads: facts.gitHeads }),
          files: parts.includes('files') ? { home: account.home, uid: account.uid, gid: account.gid, excludes: account.excludes ?? [], ...priority } : undefined,
          entries: partEntries({ account, parts, config: cfg, workDir, priority, signal: ctx.signal, warn: (w) => ctx.warn(w), phase: (ph) => { phase = ph; } }),
          signal: ctx.signal,
          onProgress: (pr) => ctx.progress({ phase: pr.phase === 'entries' ? phase : pr.phase, bytesDone: pr.bytesDone, bytesTotal: facts.bytes || undefined, ...(upload ? { uploaded: upload.uploaded() } : {}) }),
        });
        for (const w of result.warnings) ctx.warn(w);
        // Copies are verified before the row is written: a snapshot whose copies failed is never
        // listed, and the job's cleanup removes its spool files.
        let locations: SnapshotLocation[] = [];
        if (upload) {
          ctx.progress({ phase: 'uploading', bytesDone: result.bytes, bytesTotal: result.bytes, uploaded: upload.uploaded() });
          locations = await upload.complete();
        }
        const temporary = job.trigger === 'tenant';
        const snap = deps.store.snapshots.insert({
          id: snapshotId, account: account.name, kind: 'account_full', scope: p.scope, trigger: job.trigger, jobId: job.id,
          note: p.note ?? null, compression: p.compression, bytes: result.bytes, sha256: result.sha256, files: result.files,
          parts: result.paths.map((x) => path.basename(x)), manifest: {}, temporary, createdAt: p.createdAt,
          expiresAt: temporary ? p.createdAt + deps.temporaryHours() * 3600_000 : null,
        });
        for (const loc of locations) deps.store.snapshots.addLocation(snapshotId, loc);
        // A scheduled snapshot that reached every destination leaves the spool unless configured to stay.
        if (localCopy && job.trigger === 'schedule' && locations.length && !cfg.scheduler.keepLocalCopy) {
          for (const f of result.paths) fs.rmSync(f, { force: true });
        }
        if (deps.afterStored) {
          await deps.afterStored(job, deps.store.snapshots.get(snapshotId) ?? snap).catch((err: unknown) => ctx.log.error({ err }, 'after-snapshot step failed'));
        }
        deps.events.publish({ type: 'snapshot.ready', account: account.name, payload: { snapshotId, jobId: job.id, bytes: snap.bytes, sha256: snap.sha256, createdAt: new Date(snap.createdAt).toISOString() } });
        return { result: { snapshotId, bytes: result.bytes, sha256: result.sha256, files: result.files, inputBytes: facts.bytes, seconds: (Date.now() - started) / 1000 } };
      } finally {
        await upload?.close();
        deps.spool.removeWorkDir(job.id);
      }
    },
    cleanup(job: JobRecord) {
      deps.spool.removeWorkDir(job.id);
      // A snapshot that made it into the database is complete; only unlisted leftovers go.
      if (job.snapshotId && !deps.store.snapshots.get(job.snapshotId)) deps.spool.removeSnapshotFiles(job.snapshotId);
    },
  };
}
