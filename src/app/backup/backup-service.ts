import { randomUUID } from 'node:crypto';
import { AgentError, toAgentError } from '../../errors/index.ts';
import type { Logger } from '../../system/logger.ts';
import type { JobQueue } from '../../core/jobs/index.ts';
import type { Store } from '../../core/store.ts';
import type { Clock } from '../../core/clock.ts';
import type { AccountRow, BackupScope, PackageSettings } from '../../core/model.ts';
import { tenantWindow, assertTenantMayBackup, DAY_MS } from '../../core/policy/tenant-window.ts';
import { packageInForce } from '../../core/policy/package-in-force.ts';
import type { BackupOperations, BackupRequest, Estimate } from '../../rpc/services.ts';
import type { AgentConfig } from '../../config/index.ts';
import { freeBytes } from '../../system/disk.ts';
import { homeFacts } from '../../sources/home-facts/home-facts.ts';
import { estimateMariadb } from '../../sources/mariadb/index.ts';
import { estimatePostgresql } from '../../sources/postgresql/index.ts';
import type { DbPhase } from '../../sources/common/index.ts';
import { SCOPE_PARTS } from './backup-plan.ts';
import type { BackupJobParams } from './backup-job.ts';
import type { SpoolLayout } from './spool-layout.ts';

const DEFAULT_THROUGHPUT = 100 * 1024 * 1024;
/** Room kept free in the spool beyond the estimate, so the host is never filled to the last byte. */
const SPOOL_MARGIN = 64 * 1024 * 1024;
/** Refusals that answer the caller's own request; the journal gets the other failures, which an admin must fix. */
const CALLER_REFUSALS = new Set(['AGENT_E_NOT_FOUND', 'AGENT_E_INVALID', 'AGENT_E_FORBIDDEN', 'AGENT_E_RATE_LIMITED', 'AGENT_E_TOO_LARGE', 'AGENT_E_BUSY', 'AGENT_E_SHUTTING_DOWN']);

export class BackupService implements BackupOperations {
  readonly #store: Store;
  readonly #queue: JobQueue;
  readonly #clock: Clock;
  readonly #spool: SpoolLayout;
  readonly #config: () => AgentConfig;
  readonly #log: Logger;
  readonly #onRateLimited: (() => void) | undefined;

  /** `onRateLimited` hears of every tenant snapshot refused by the daily limit (metrics). */
  constructor(deps: { store: Store; queue: JobQueue; clock: Clock; spool: SpoolLayout; config: () => AgentConfig; log: Logger; onRateLimited?: () => void }) {
    this.#store = deps.store;
    this.#queue = deps.queue;
    this.#clock = deps.clock;
    this.#spool = deps.spool;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#onRateLimited = deps.onRateLimited;
  }

  #account(name: string): AccountRow {
    const a = this.#store.accounts.get(name);
    if (!a) throw new AgentError('AGENT_E_NOT_FOUND', `account ${name} not found`, { data: { field: 'account' } });
    return a;
  }

  async create(req: BackupRequest): Promise<{ jobId: string; snapshotId: string }> {
    const account = this.#account(req.account);
    // An unknown destination is refused now rather than after the archive is written.
    req.destinations?.forEach((d, i) => {
      if (!this.#store.destinations.get(d)) throw new AgentError('AGENT_E_NOT_FOUND', `destination ${d} not found`, { data: { field: `destinations.${i}` } });
    });
    const { name: packageName, settings: pkg } = packageInForce(account, (name) => this.#store.packages.get(name));
    const tenant = req.trigger === 'tenant';
    const ledger = this.#store.rateLedger;
    // A tenant's slot is taken atomically before any await, so of many concurrent calls exactly
    // the allowed number go on; a call that fails later gives its slot back.
    const reservation = tenant ? this.#reserveTenantSlot(account.name, packageName, pkg) : null;
    try {
      const estimate = await this.estimate(account.name, req.scope, 'size check before the backup');
      if (tenant && estimate.bytes > pkg.tenantBackups.maxBytes) {
        throw new AgentError('AGENT_E_TOO_LARGE', `account ${account.name} holds about ${gib(estimate.bytes)} GiB, more than the ${gib(pkg.tenantBackups.maxBytes)} GiB allowed for on-demand snapshots; ask for a scheduled off-host backup instead`, { data: { bytes: estimate.bytes, maxBytes: pkg.tenantBackups.maxBytes } });
      }
      const free = freeBytes(this.#spool.root);
      const needed = estimate.bytes + SPOOL_MARGIN;
      if (free < needed) {
        throw new AgentError('AGENT_E_NO_SPACE', `the spool ${this.#spool.root} has ${mib(free)} MiB free, the snapshot needs about ${mib(needed)} MiB`, { data: { freeBytes: free, neededBytes: needed } });
      }
      const snapshotId = randomUUID().replace(/-/g, '').slice(0, 20);
      const { account: _account, trigger: _trigger, ...options } = req;
      const params: BackupJobParams = { ...options, createdAt: this.#clock.now() };
      const job = this.#queue.enqueue({ kind: 'backup', account: account.name, trigger: req.trigger, params: params as unknown as Record<string, unknown>, snapshotId });
      if (reservation !== null) ledger.attachJob(reservation, job.id);
      else ledger.record(account.name, 'admin', job.id, this.#clock.now());
      return { jobId: job.id, snapshotId };
    } catch (err) {
      if (reservation !== null) ledger.remove(reservation);
      const e = toAgentError(err);
      if (!CALLER_REFUSALS.has(e.code)) {
        this.#log.error({ jobId: null, account: account.name, trigger: req.trigger, scope: req.scope, code: e.code, summary: e.message }, `backup could not start: ${account.name}: ${e.code}: ${e.message}`);
      }
      throw err;
    }
  }

  #reserveTenantSlot(account: string, packageName: string | null, pkg: PackageSettings): number {
    const ledger = this.#store.rateLedger;
    try {
      return ledger.transaction(() => {
        assertTenantMayBackup(pkg, packageName, this.#window(account, pkg), account);
        return ledger.record(account, 'tenant', null, this.#clock.now());
      });
    } catch (err) {
      if (err instanceof AgentError && err.code === 'AGENT_E_RATE_LIMITED') this.#onRateLimited?.();
      throw err;
    }
  }

  #window(account: string, pkg: PackageSettings) {
    const now = this.#clock.now();
    return tenantWindow(pkg, this.#store.rateLedger.tenantSince(account, now - DAY_MS));
  }

  /** `phase` names the caller in errors: backup.estimate, or the size check of backup.create. */
  async estimate(accountName: string, scope: BackupScope, phase: DbPhase = 'estimate'): Promise<Estimate> {
    const account = this.#account(accountName);
    const parts = SCOPE_PARTS[scope];
    const cfg = this.#config();
    const files = parts.includes('files') ? await homeFacts({ home: account.home, uid: account.uid, gid: account.gid, docroots: [], excludes: account.excludes ?? [] }) : { files: 0, bytes: 0 };
    let dbBytes = 0;
    const dbs = parts.includes('databases') ? (account.databases ?? []) : [];
    const maria = dbs.filter((d) => d.engine === 'mariadb').map((d) => d.name);
    const pg = dbs.filter((d) => d.engine === 'postgresql').map((d) => d.name);
    const about = { phase, account: account.name };
    try {
      if (maria.length && cfg.databases.mariadb.enabled) dbBytes += sum(await estimateMariadb(cfg.databases.mariadb, maria, { about }));
      if (pg.length && cfg.databases.postgresql.enabled) dbBytes += sum(await estimatePostgresql(cfg.databases.postgresql, pg, { about }));
    } catch (err) {
      if (err instanceof AgentError && err.code === 'AGENT_E_DB_UNAVAILABLE') throw err;
      throw new AgentError('AGENT_E_SOURCE_READ', `the databases of ${account.name} could not be sized (phase: ${phase}): ${(err as Error).message}`, { cause: err });
    }
    const mailboxes = parts.includes('mail') ? (account.mailboxes ?? []).length : 0;
    const bytes = files.bytes + dbBytes;
    return { bytes, files: files.files, databases: dbs.length, mailboxes, seconds: Math.round((bytes / this.#throughput()) * 10) / 10 };
  }

  /** Bytes per second of this host's recent successful backups. */
  #throughput(): number {
    const recent = this.#store.jobs.list({ status: 'succeeded', limit: 20 }).filter((j) => j.kind === 'backup');
    let bytes = 0;
    let seconds = 0;
    for (const j of recent) {
      const r = j.result as { inputBytes?: number; seconds?: number } | null;
      if (r?.inputBytes && r.seconds && r.seconds > 0) {
        bytes += r.inputBytes;
        seconds += r.seconds;
      }
    }
    return bytes > 0 && seconds > 0 ? bytes / seconds : DEFAULT_THROUGHPUT;
  }
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
const mib = (n: number) => Math.ceil(n / 1024 ** 2);
