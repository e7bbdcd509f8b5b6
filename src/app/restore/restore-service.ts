// restore.create / approve / reject and snapshot.import: who may restore what, where, and
// when. A tenant's request waits for an admin unless its package says `tenantRestore: auto`.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AgentError } from '../../errors/index.ts';
import type { JobQueue } from '../../core/jobs/index.ts';
import type { Store } from '../../core/store.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import { DEFAULT_PACKAGE, type BackupScope, type SnapshotRow } from '../../core/model.ts';
import type { AgentConfig } from '../../config/index.ts';
import type { BackupOperations, RestoreOperations, RestorePartName, RestoreRequest } from '../../rpc/services.ts';
import { archiveName, compactUtc, verifyArchive, partPath, PARTIAL_SUFFIX } from '../../archive/index.ts';
import { localArchive, sniffCompression } from '../../archive/archive-source.ts';
import { readManifest } from '../../restore/read-manifest.ts';
import { SCOPE_PARTS } from '../backup/backup-plan.ts';
import type { SpoolLayout } from '../backup/spool-layout.ts';
import type { RestoreJobParams } from './restore-job.ts';
import { readableCopies } from './restore-source.ts';

const ALL_PARTS: RestorePartName[] = ['files', 'databases', 'mail', 'dns'];
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** A small imported archive may always expand this far (config archive.maxExpansionRatio). */
const IMPORT_EXPANSION_FLOOR = 64 * 1024 * 1024;

export class RestoreService implements RestoreOperations {
  readonly #store: Store;
  readonly #queue: JobQueue;
  readonly #clock: Clock;
  readonly #events: EventBus;
  readonly #spool: SpoolLayout;
  readonly #backups: BackupOperations;
  readonly #config: () => AgentConfig;

  constructor(deps: { store: Store; queue: JobQueue; clock: Clock; events: EventBus; spool: SpoolLayout; backups: BackupOperations; config: () => AgentConfig }) {
    this.#store = deps.store;
    this.#queue = deps.queue;
    this.#clock = deps.clock;
    this.#events = deps.events;
    this.#spool = deps.spool;
    this.#backups = deps.backups;
    this.#config = deps.config;
  }

  async create(req: RestoreRequest): Promise<{ jobId: string; status: 'queued' | 'pending' }> {
    const snap = this.#store.snapshots.get(req.snapshotId);
    if (!snap || (req.actor && snap.account !== req.actor.account)) throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${req.snapshotId} not found`);
    const targetName = req.target?.account ?? snap.account;
    if (req.actor && targetName !== req.actor.account) throw new AgentError('AGENT_E_FORBIDDEN', 'a tenant may only restore into its own account', { data: { field: 'target.account' } });
    if (req.actor && req.target?.path !== undefined) throw new AgentError('AGENT_E_FORBIDDEN', 'tenants cannot choose a restore path', { data: { field: 'target.path' } });
    if (req.actor && req.source !== undefined) throw new AgentError('AGENT_E_FORBIDDEN', 'tenants cannot choose where a snapshot is read from', { data: { field: 'source' } });
    readableCopies(snap, this.#spool, req.source?.destination);
    const account = this.#store.accounts.get(targetName);
    if (!account) throw new AgentError('AGENT_E_NOT_FOUND', `account ${targetName} not found`, { data: { field: 'target.account' } });
    const mode = req.target?.mode ?? 'staging';
    if (req.target?.path !== undefined) {
      if (mode !== 'staging') throw new AgentError('AGENT_E_INVALID', 'a target path is only used for staging restores', { data: { field: 'target.path' } });
      if (!path.isAbsolute(req.target.path) || path.normalize(req.target.path) !== req.target.path.replace(/\/+$/, '')) {
        throw new AgentError('AGENT_E_INVALID', 'target.path must be an absolute, normalized path', { data: { field: 'target.path' } });
      }
    }
    const params: RestoreJobParams = {
      snapshotId: snap.id, parts: [...new Set(req.parts ?? ALL_PARTS)], mode, path: req.target?.path, stamp: compactUtc(this.#clock.now()),
      ...(req.source ? { source: { destination: req.source.destination } } : {}),
    };
    const id = randomUUID();
    if (req.actor) {
      const pkg = (account.package && this.#store.packages.get(account.package)) || DEFAULT_PACKAGE;
      if (pkg.tenantRestore === 'disabled') throw new AgentError('AGENT_E_FORBIDDEN', `the package of account ${account.name} does not allow tenant restores`);
      if (pkg.tenantRestore === 'approval') {
        this.#store.restoreRequests.insert({ id, account: account.name, snapshotId: snap.id, params: params as unknown as Record<string, unknown>, actor: { account: req.actor.account }, createdAt: this.#clock.now() });
        this.#events.publish({ type: 'restore.pending', account: account.name, payload: { jobId: id, snapshotId: snap.id, mode, parts: params.parts } });
        return { jobId: id, status: 'pending' };
      }
    }
    return { jobId: await this.#enqueue(id, account.name, snap, params, req.actor ? 'tenant' : 'admin'), status: 'queued' };
  }

  async approve(id: string): Promise<{ jobId: string; status: 'queued' }> {
    const r = this.#pending(id);
    const snap = this.#store.snapshots.get(r.snapshotId);
    if (!snap) throw new AgentError('AGENT_E_NOT_FOUND', `snapshot ${r.snapshotId} no longer exists`);
    if (!this.#store.restoreRequests.decide(id, 'approved', null, this.#clock.now())) throw new AgentError('AGENT_E_CONFLICT', `restore ${id} was already decided`);
    return { jobId: await this.#enqueue(id, r.account, snap, r.params as unknown as RestoreJobParams, 'tenant'), status: 'queued' };
  }

  reject(id: string, reason: string): { jobId: string; status: 'rejected' } {
    const r = this.#pending(id);
    if (!this.#store.restoreRequests.decide(id, 'rejected', reason, this.#clock.now())) throw new AgentError('AGENT_E_CONFLICT', `restore ${id} was already decided`);
    this.#events.publish({ type: 'restore.finished', account: r.account, payload: { jobId: id, snapshotId: r.snapshotId, status: 'rejected', errcode: 'AGENT_E_RESTORE_REJECTED', reason } });
    return { jobId: id, status: 'rejected' };
  }

  #pending(id: string) {
    const r = this.#store.restoreRequests.get(id);
    if (!r) throw new AgentError('AGENT_E_NOT_FOUND', `restore request ${id} not found`);
    if (r.status !== 'pending') throw new AgentError('AGENT_E_CONFLICT', `restore ${id} is already ${r.status}`, { data: { status: r.status } });
    return r;
  }

  /** In place, a full snapshot of the account goes first (config `restore.safetySnapshot`). */
  async #enqueue(id: string, account: string, snap: SnapshotRow, params: RestoreJobParams, trigger: 'tenant' | 'admin'): Promise<string> {
    const p = { ...params };
    if (p.mode === 'in-place' && this.#config().restore.safetySnapshot) {
      const safety = await this.#backups.create({ account, scope: 'full', compression: 'gzip', trigger: 'safety', note: `before restoring snapshot ${snap.id}` });
      p.safetyJobId = safety.jobId;
      p.safetySnapshotId = safety.snapshotId;
    }
    this.#queue.enqueue({ id, kind: 'restore', account, trigger, params: p as unknown as Record<string, unknown>, snapshotId: snap.id });
    return id;
  }

  async importArchive(file: string, accountOverride?: string): Promise<{ snapshotId: string; account: string; bytes: number; files: number; parts: number }> {
    const inputs = importInputs(file);
    const compression = sniffCompression(inputs[0]!);
    if (!compression) throw new AgentError('AGENT_E_ARCHIVE_CORRUPT', 'the archive is neither gzip nor zstd');
    // Copied first and checked as copied: what is registered is exactly what was verified,
    // whatever happens to the originals meanwhile.
    const staged = inputs.map((_f, i) => this.#spool.archivePath(`.import-${randomUUID()}-${i + 1}${PARTIAL_SUFFIX}`));
    try {
      inputs.forEach((f, i) => { fs.copyFileSync(f, staged[i]!, fs.constants.COPYFILE_EXCL); fs.chmodSync(staged[i]!, 0o600); });
      const source = localArchive(staged, compression);
      const compressed = staged.reduce((n, f) => n + fs.statSync(f).size, 0);
      const maxTarBytes = Math.max(IMPORT_EXPANSION_FLOOR, compressed * this.#config().archive.maxExpansionRatio);
      const checked = await verifyArchive(source, { maxTarBytes });
      const manifest = await readManifest(source);
      const account = accountOverride ?? String(manifest.username ?? '');
      if (!NAME.test(account) || !this.#store.accounts.get(account)) {
        throw new AgentError('AGENT_E_NOT_FOUND', `account ${JSON.stringify(account)} (from the manifest) does not exist here; create it first or name one`, { data: { field: 'account' } });
      }
      const scope = (typeof manifest.scope === 'string' && manifest.scope in SCOPE_PARTS ? manifest.scope : 'full') as BackupScope;
      const createdAt = Date.parse(String(manifest.createdAt));
      const wanted = typeof manifest.snapshotId === 'string' && /^[A-Za-z0-9]{1,40}$/.test(manifest.snapshotId) ? manifest.snapshotId : null;
      const snapshotId = wanted && !this.#store.snapshots.get(wanted) ? wanted : randomUUID().replace(/-/g, '').slice(0, 20);
      const at = Number.isFinite(createdAt) ? createdAt : this.#clock.now();
      const name = archiveName({ prefix: '', account, kind: 'account_full', createdAt: at, snapshotId, compression });
      const finals = staged.length === 1 ? [this.#spool.archivePath(name)] : staged.map((_s, i) => partPath(this.#spool.archivePath(name), i + 1));
      staged.forEach((st, i) => fs.renameSync(st, finals[i]!));
      this.#store.snapshots.insert({
        id: snapshotId, account, kind: 'account_full', scope, trigger: 'import', jobId: null, note: `imported from ${path.basename(inputs[0]!)}`,
        compression, bytes: checked.bytes, sha256: checked.sha256, files: checked.files, parts: finals.map((f) => path.basename(f)), manifest, temporary: false, createdAt: at, expiresAt: null,
      });
      return { snapshotId, account, bytes: checked.bytes, files: checked.files, parts: finals.length };
    } finally {
      for (const st of staged) fs.rmSync(st, { force: true });
    }
  }
}

const PART_SUFFIX = /\.part(\d{3})$/;

/** The file to import, or for a split archive named by its .part001, every part in order. */
function importInputs(file: string): string[] {
  if (!path.isAbsolute(file)) throw new AgentError('AGENT_E_INVALID', 'path must be absolute', { data: { field: 'path' } });
  const regular = (f: string): boolean => {
    try { return fs.statSync(f).isFile(); } catch { return false; }
  };
  if (!fs.existsSync(file)) throw new AgentError('AGENT_E_NOT_FOUND', `${file} does not exist`, { data: { field: 'path' } });
  if (!regular(file)) throw new AgentError('AGENT_E_INVALID', `${file} is not a regular file`, { data: { field: 'path' } });
  const m = PART_SUFFIX.exec(file);
  if (!m) return [file];
  if (m[1] !== '001') throw new AgentError('AGENT_E_INVALID', 'name the first part of a split archive (.part001)', { data: { field: 'path' } });
  const base = file.slice(0, -m[0].length);
  const parts: string[] = [];
  for (let i = 1; i <= 999 && regular(partPath(base, i)); i++) parts.push(partPath(base, i));
  return parts;
}
