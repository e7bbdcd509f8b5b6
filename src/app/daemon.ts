import fs from 'node:fs';
import type { DestinationStream } from 'pino';
import { loadDevConfig, type AgentConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { cacheFor } from '../core/cache-for.ts';
import { JobQueue } from '../core/jobs/index.ts';
import { openState, openStore, BackupStatusRepo, type Db } from '../state/index.ts';
import type { Store } from '../core/store.ts';
import { EventBus } from '../core/events/event-bus.ts';
import { Dispatcher, RpcServer, registeredMethods, type RpcServices, type SocketKind } from '../rpc/index.ts';
import { DownloadServer, createDownloadHandler, createLink } from '../download/index.ts';
import { SpoolLayout } from './backup/spool-layout.ts';
import { backupJobKind } from './backup/backup-job.ts';
import { BackupService } from './backup/backup-service.ts';
import { SnapshotService } from './backup/snapshot-service.ts';
import { restoreJobKind } from './restore/restore-job.ts';
import { dropLeftoverRestoreLogins } from '../restore/databases.ts';
import { RestoreService } from './restore/restore-service.ts';
import { publishJobEvents } from './job-events.ts';
import { NotificationCenter, validateNotificationConfig } from './notifications.ts';
import { readAgentConfig } from './agent-config.ts';
import { socketLimits } from './socket-limits.ts';
import { Scheduler } from '../scheduler/index.ts';
import { EventMetrics, MetricsServer, registerLiveGauges, scrapeWith } from '../metrics/index.ts';
import type { JobRecord } from '../core/jobs/index.ts';
import type { SnapshotRow } from '../core/model.ts';
import { openUpload, openNamedDestination, type UploadDeps } from './backup/upload.ts';
import { applyRetention } from './retention.ts';
import { destinationOperations, scheduleOperations } from './schedule-services.ts';
import { createLogger, SystemdNotifier, VERSION, isRoot, freeBytes, usedBytes, type Logger } from '../system/index.ts';

export interface DaemonOptions {
  /** --dev DIR: every path under DIR, agent.json written with defaults when missing. */
  devDir?: string;
  /** --config FILE (ignored with devDir). */
  configFile?: string;
  clock?: Clock;
  /** Where logs go (tests); stdout by default. */
  logDestination?: DestinationStream;
}

/**
 * The one place that wires concrete parts together and orders start and stop:
 * config, logs, state and migrations, the job queue, then the sockets, then READY.
 */
export class Daemon {
  readonly log: Logger;
  readonly clock: Clock;
  readonly configFile: string;
  readonly db: Db;
  readonly queue: JobQueue;
  readonly store: Store;
  readonly events = new EventBus();
  readonly spool: SpoolLayout;
  readonly snapshots: SnapshotService;
  readonly backups: BackupService;
  readonly restores: RestoreService;
  readonly scheduler: Scheduler;
  readonly notifications: NotificationCenter;
  readonly metrics = new EventMetrics();
  readonly schemaVersion: number;
  readonly startedAt: number;
  readonly #devDir: string | undefined;
  readonly #systemd: SystemdNotifier;
  readonly #rpc: Record<SocketKind, RpcServer>;
  readonly #download: DownloadServer;
  readonly #metricsServer: MetricsServer;
  readonly #spoolUsage: () => { usedBytes: number; freeBytes: number };
  #config: AgentConfig;
  #stopping: Promise<void> | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;

  private constructor(init: { config: AgentConfig; configFile: string; devDir?: string; clock: Clock; log: Logger; db: Db; schemaVersion: number }) {
    this.#config = init.config;
    this.configFile = init.configFile;
    this.#devDir = init.devDir;
    this.clock = init.clock;
    this.log = init.log;
    this.db = init.db;
    this.schemaVersion = init.schemaVersion;
    this.startedAt = init.clock.now();
    this.#systemd = new SystemdNotifier(init.log);
    const cfg = init.config;
    this.store = openStore(init.db);
    this.spool = new SpoolLayout(cfg.paths.spool);
    this.#spoolUsage = cacheFor(1000, () => ({ usedBytes: usedBytes(this.#config.paths.spool), freeBytes: freeBytes(this.#config.paths.spool) }));
    this.notifications = new NotificationCenter(this.store, cfg, init.log, (outcome) => this.metrics.notificationDelivered(outcome));
    const jobEvents = publishJobEvents(this.events, (job) => this.notifications.jobFinished(job));
    this.queue = new JobQueue({
      store: this.store.jobs, clock: init.clock, log: init.log, concurrency: cfg.jobs.concurrency, maxQueued: cfg.jobs.maxQueued,
      events: { ...jobEvents, onFinished: (job) => { this.metrics.jobFinished(job); jobEvents.onFinished?.(job); } },
    });
    this.queue.register('backup', backupJobKind({
      store: this.store, clock: init.clock, events: this.events, spool: this.spool, version: VERSION,
      config: () => this.#config, temporaryHours: () => this.#config.purge.temporaryHours,
      openUpload: (req) => openUpload(this.#uploadDeps(), req),
      afterStored: (job, snap) => this.#afterStored(job, snap),
    }));
    this.backups = new BackupService({ store: this.store, queue: this.queue, clock: init.clock, spool: this.spool, config: () => this.#config, log: init.log, onRateLimited: () => this.metrics.tenantRateLimited() });
    this.queue.register('restore', restoreJobKind({ store: this.store, events: this.events, spool: this.spool, config: () => this.#config, openDestination: (name) => openNamedDestination(this.#uploadDeps(), name) }));
    this.restores = new RestoreService({ store: this.store, queue: this.queue, clock: init.clock, events: this.events, spool: this.spool, backups: this.backups, config: () => this.#config });
    this.scheduler = new Scheduler({
      schedules: this.store.schedules, accounts: this.store.accounts, jobs: this.store.jobs, clock: init.clock, log: init.log,
      settings: () => this.#config.scheduler,
      enqueue: (sch, account) => this.backups.create({ account, scope: sch.scope, compression: sch.compression, destinations: sch.destinations, trigger: 'schedule', schedule: sch.id }),
    });
    this.snapshots = new SnapshotService({ store: this.store, spool: this.spool, events: this.events, clock: init.clock, queue: this.queue, log: init.log });
    const services: RpcServices = {
      destinations: destinationOperations({ store: this.store, log: init.log, onFailure: (f) => this.metrics.destinationFailed(f) }),
      schedules: scheduleOperations(this.scheduler, init.clock),
      version: VERSION,
      startedAt: this.startedAt,
      clock: init.clock,
      privileged: isRoot(),
      schemaVersion: init.schemaVersion,
      queue: this.queue,
      store: this.store,
      events: this.events,
      notifications: this.notifications,
      backups: this.backups,
      restores: this.restores,
      snapshots: this.snapshots,
      downloads: { createLink: (snap, session, ttl) => createLink({ store: this.store, clock: init.clock, baseUrl: () => this.#config.download.baseUrl }, snap, session, ttl) },
      config: () => this.#config,
      connectionCounts: () => ({ admin: this.#rpc.admin.connectionCount, panel: this.#rpc.panel.connectionCount }),
      spoolUsage: this.#spoolUsage,
      reload: () => this.reload(),
    };
    const methods = registeredMethods(services);
    const onInternal = (err: unknown, ctx: { requestId: string }, method: string) => this.log.error({ err, requestId: ctx.requestId, method }, 'rpc handler failed');
    const limits = socketLimits(this.#config.rpc);
    this.#rpc = {
      admin: new RpcServer('admin', { path: cfg.rpc.adminSocket, mode: cfg.rpc.adminMode, group: cfg.rpc.adminGroup }, new Dispatcher('admin', methods, onInternal), limits, init.log),
      panel: new RpcServer('panel', { path: cfg.rpc.panelSocket, mode: cfg.rpc.panelMode, group: cfg.rpc.panelGroup }, new Dispatcher('panel', methods, onInternal), limits, init.log),
    };
    this.#download = new DownloadServer(init.log, cfg.download, createDownloadHandler({
      store: this.store, clock: init.clock, log: init.log,
      files: (snap) => this.snapshots.files(snap),
      fileName: (snap) => snap.parts[0]!.replace(/\.part\d+$/, ''),
      onCompleted: (link, snap) => this.events.publish({ type: 'download.completed', account: snap.account, payload: { snapshotId: snap.id, bytes: snap.bytes, expiresAt: new Date(link.expiresAt).toISOString() } }),
    }));
    registerLiveGauges(this.metrics.registry, { queue: () => this.queue.stats(), spoolBytes: () => this.#spoolUsage().usedBytes });
    const scrape = scrapeWith(this.metrics.registry, { backupStatus: new BackupStatusRepo(init.db), scheduleNextRuns: () => this.scheduler.nextFireTimes() });
    this.#metricsServer = new MetricsServer(scrape, init.log);
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, file } = opts.devDir
      ? loadDevConfig(opts.devDir)
      : { config: readAgentConfig(opts.configFile ?? '/etc/hostagent/agent.json'), file: opts.configFile ?? '/etc/hostagent/agent.json' };
    if (opts.devDir) validateNotificationConfig(config);
    const log = createLogger(config.log.level, opts.logDestination);
    if (!isRoot()) log.info({ uid: process.getuid?.() }, 'running unprivileged: tenant files are read and written as this user');
    fs.mkdirSync(config.paths.spool, { recursive: true, mode: 0o700 });
    fs.chmodSync(config.paths.spool, 0o700);
    const state = openState(config.paths.database);
    if (state.applied.length) log.info({ applied: state.applied, schemaVersion: state.schemaVersion }, 'state migrated');
    const daemon = new Daemon({ config, configFile: file, devDir: opts.devDir, clock: opts.clock ?? systemClock, log, db: state.db, schemaVersion: state.schemaVersion });
    try {
      await daemon.#listen();
    } catch (err) {
      daemon.#closeEverything();
      throw err;
    }
    return daemon;
  }

  get config(): AgentConfig {
    return this.#config;
  }

  async #listen(): Promise<void> {
    const recovered = await this.queue.recover();
    if (recovered.interrupted) this.log.warn({ count: recovered.interrupted }, 'jobs left running by the previous process were marked interrupted');
    const cfg = this.#config;
    // Before any restore can start, so a running restore's login is never taken for a leftover.
    await dropLeftoverRestoreLogins(cfg, this.log);
    await this.#rpc.admin.listen();
    await this.#rpc.panel.listen();
    await this.#download.listenSocket({ path: cfg.download.socket, mode: cfg.download.socketMode, group: cfg.rpc.panelGroup });
    if (cfg.download.listen) await this.#download.listenLoopback(cfg.download.listen);
    if (cfg.metrics.enabled) {
      await this.#metricsServer.listenSocket({ path: cfg.metrics.socket, mode: cfg.metrics.socketMode, group: cfg.rpc.panelGroup });
      if (cfg.metrics.listen) await this.#metricsServer.listenLoopback(cfg.metrics.listen);
    }
    await this.sweep();
    // Schedules load synchronously here; missed runs are queued in the background, so a long
    // catch-up (each account is estimated first) never delays READY.
    this.scheduler.start().catch((err: unknown) => this.log.error({ err }, 'scheduler start failed'));
    this.#sweepTimer = setInterval(() => void this.sweep(), this.#config.purge.sweepIntervalMinutes * 60_000);
    this.#sweepTimer.unref();
    this.#systemd.ready(this.#statusLine());
    const every = this.#systemd.startWatchdog();
    this.log.info({ version: VERSION, admin: cfg.rpc.adminSocket, panel: cfg.rpc.panelSocket, download: cfg.download.socket, metrics: cfg.metrics.enabled ? cfg.metrics.socket : null, watchdogMs: every, schemaVersion: this.schemaVersion }, 'hostagentd ready');
  }

  /** The purge sweep (hourly and at start); failures are logged, never fatal. */
  async sweep(): Promise<{ purged: string[]; orphans: string[] }> {
    try {
      return await this.snapshots.sweep();
    } catch (err) {
      this.log.error({ err }, 'purge sweep failed');
      return { purged: [], orphans: [] };
    }
  }

  #uploadDeps(): UploadDeps {
    const sc = this.#config.scheduler;
    return {
      destinations: this.store.destinations, clock: this.clock, log: this.log, retry: () => ({ attempts: sc.uploadAttempts, baseDelayMs: sc.uploadRetryBaseMs, maxDelayMs: 60_000 }),
      onFailure: (f) => this.metrics.destinationFailed(f),
    };
  }

  /** Retention of the schedule that queued a run, once its snapshot is recorded. */
  async #afterStored(job: JobRecord, _snapshot: SnapshotRow): Promise<void> {
    const scheduleId = (job.params as { schedule?: string }).schedule;
    const schedule = scheduleId ? this.store.schedules.get(scheduleId) : null;
    if (!schedule || !job.account) return;
    const deps = this.#uploadDeps();
    await applyRetention({
      store: this.store, log: this.log, events: this.events, spool: this.spool, open: (name) => openNamedDestination(deps, name),
      notice: (n) => this.notifications.notice({ ...n, jobId: job.id }),
    }, schedule, job.account);
  }

  #statusLine(): string {
    const q = this.queue.stats();
    return `ready; ${q.running} running, ${q.queued} queued`;
  }

  /**
   * Re-reads the config file. A bad file is refused and the running config kept; connections
   * are never dropped. Socket and state paths only change on restart.
   */
  reload(): { ok: boolean; error?: string } {
    this.#systemd.reloading();
    let result: { ok: boolean; error?: string };
    try {
      const next = this.#devDir ? loadDevConfig(this.#devDir).config : readAgentConfig(this.configFile);
      if (this.#devDir) validateNotificationConfig(next);
      const needsRestart = (['paths', 'download', 'metrics'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.#config[k]));
      if (next.rpc.adminSocket !== this.#config.rpc.adminSocket || next.rpc.panelSocket !== this.#config.rpc.panelSocket) needsRestart.push('rpc' as never);
      this.#config = next;
      this.log.level = next.log.level;
      for (const s of Object.values(this.#rpc)) s.setLimits(socketLimits(this.#config.rpc));
      this.queue.setLimits(next.jobs.concurrency, next.jobs.maxQueued);
      this.notifications.reconfigure(next);
      if (needsRestart.length) this.log.warn({ sections: needsRestart }, 'config reloaded; changed paths take effect at the next restart');
      else this.log.info('config reloaded');
      result = { ok: true };
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'config reload refused; keeping the running config');
      result = { ok: false, error: (err as Error).message };
    }
    this.#systemd.ready(this.#statusLine());
    return result;
  }

  /** SIGTERM: stop accepting, let running jobs finish within the grace period, close state. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const grace = this.#config.jobs.shutdownGraceSeconds * 1000;
    this.#systemd.stopping(`stopping; waiting up to ${this.#config.jobs.shutdownGraceSeconds}s for ${this.queue.stats().running} running jobs`);
    this.log.info({ graceMs: grace, running: this.queue.stats().running }, 'stopping');
    for (const s of Object.values(this.#rpc)) s.stopListening();
    this.#download.close();
    this.#metricsServer.close();
    this.scheduler.stop();
    await this.queue.shutdown(grace);
    // Notices of the last jobs get a short chance to leave; they never hold up a stop for long.
    await Promise.race([this.notifications.idle(), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.#closeEverything();
    this.log.info('stopped');
    this.log.flush();
  }

  #closeEverything(): void {
    this.#systemd.stopWatchdog();
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.scheduler.stop();
    for (const s of Object.values(this.#rpc)) {
      s.stopListening();
      s.closeConnections();
    }
    this.#download.close();
    this.#metricsServer.close();
    if (this.db.open) this.db.close();
  }
}
