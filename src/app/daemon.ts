import fs from 'node:fs';
import type { DestinationStream } from 'pino';
import { readConfigFile, loadDevConfig, type AgentConfig } from '../config/index.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { JobQueue } from '../core/jobs/index.ts';
import { openState, JobsRepo, type Db } from '../state/index.ts';
import { Dispatcher, RpcServer, registeredMethods, type RpcServices, type SocketKind } from '../rpc/index.ts';
import { DownloadServer } from '../download/download-server.ts';
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
  readonly schemaVersion: number;
  readonly startedAt: number;
  readonly #devDir: string | undefined;
  readonly #systemd: SystemdNotifier;
  readonly #rpc: Record<SocketKind, RpcServer>;
  readonly #download: DownloadServer;
  #config: AgentConfig;
  #stopping: Promise<void> | null = null;

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
    this.queue = new JobQueue({ store: new JobsRepo(init.db), clock: init.clock, log: init.log, concurrency: cfg.jobs.concurrency, maxQueued: cfg.jobs.maxQueued });
    const services: RpcServices = {
      version: VERSION,
      startedAt: this.startedAt,
      clock: init.clock,
      privileged: isRoot(),
      schemaVersion: init.schemaVersion,
      queue: this.queue,
      config: () => this.#config,
      connectionCounts: () => ({ admin: this.#rpc.admin.connectionCount, panel: this.#rpc.panel.connectionCount }),
      spoolUsage: () => ({ usedBytes: usedBytes(this.#config.paths.spool), freeBytes: freeBytes(this.#config.paths.spool) }),
      reload: () => this.reload(),
    };
    const methods = registeredMethods(services);
    const onInternal = (err: unknown, ctx: { requestId: string }, method: string) => this.log.error({ err, requestId: ctx.requestId, method }, 'rpc handler failed');
    const limits = this.#connectionLimits();
    this.#rpc = {
      admin: new RpcServer('admin', { path: cfg.rpc.adminSocket, mode: cfg.rpc.adminMode, group: cfg.rpc.adminGroup }, new Dispatcher('admin', methods, onInternal), limits, init.log),
      panel: new RpcServer('panel', { path: cfg.rpc.panelSocket, mode: cfg.rpc.panelMode, group: cfg.rpc.panelGroup }, new Dispatcher('panel', methods, onInternal), limits, init.log),
    };
    this.#download = new DownloadServer(init.log);
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, file } = opts.devDir
      ? loadDevConfig(opts.devDir)
      : { config: readConfigFile(opts.configFile ?? '/etc/hostagent/agent.json'), file: opts.configFile ?? '/etc/hostagent/agent.json' };
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
    await this.#rpc.admin.listen();
    await this.#rpc.panel.listen();
    await this.#download.listenSocket({ path: cfg.download.socket, mode: cfg.download.socketMode, group: cfg.rpc.panelGroup });
    if (cfg.download.listen) await this.#download.listenLoopback(cfg.download.listen);
    this.#systemd.ready(this.#statusLine());
    const every = this.#systemd.startWatchdog();
    this.log.info({ version: VERSION, admin: cfg.rpc.adminSocket, panel: cfg.rpc.panelSocket, download: cfg.download.socket, watchdogMs: every, schemaVersion: this.schemaVersion }, 'hostagentd ready');
  }

  #statusLine(): string {
    const q = this.queue.stats();
    return `ready; ${q.running} running, ${q.queued} queued`;
  }

  #connectionLimits() {
    const r = this.#config.rpc;
    return { maxLineBytes: r.maxLineBytes, maxInFlight: r.maxInFlight, maxConnections: r.maxConnections, maxEventBacklogBytes: 4 * 1024 * 1024 };
  }

  /**
   * Re-reads the config file. A bad file is refused and the running config kept; connections
   * are never dropped. Socket and state paths only change on restart.
   */
  reload(): { ok: boolean; error?: string } {
    this.#systemd.reloading();
    let result: { ok: boolean; error?: string };
    try {
      const next = this.#devDir ? loadDevConfig(this.#devDir).config : readConfigFile(this.configFile);
      const needsRestart = (['paths', 'download'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.#config[k]));
      if (next.rpc.adminSocket !== this.#config.rpc.adminSocket || next.rpc.panelSocket !== this.#config.rpc.panelSocket) needsRestart.push('rpc' as never);
      this.#config = next;
      this.log.level = next.log.level;
      for (const s of Object.values(this.#rpc)) s.setLimits(this.#connectionLimits());
      this.queue.setLimits(next.jobs.concurrency, next.jobs.maxQueued);
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
    await this.queue.shutdown(grace);
    this.#closeEverything();
    this.log.info('stopped');
    this.log.flush();
  }

  #closeEverything(): void {
    this.#systemd.stopWatchdog();
    for (const s of Object.values(this.#rpc)) {
      s.stopListening();
      s.closeConnections();
    }
    this.#download.close();
    if (this.db.open) this.db.close();
  }
}
