import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { AgentError } from '../errors/index.ts';

interface NativeNotify {
  sendState(state: string): void;
}

/**
 * The daemon's side of systemd's notify protocol (Type=notify). A no-op when NOTIFY_SOCKET is
 * unset, as in --dev runs; the native sd-notify addon sends the datagrams. Under systemd without
 * the addon, start fails at once: READY=1 would never come, and the unit would hang until its
 * start timeout with nothing said.
 */
export class SystemdNotifier {
  readonly #native: NativeNotify | null;
  #watchdog: NodeJS.Timeout | null = null;

  constructor(log: Logger) {
    this.#native = null;
    if (!process.env.NOTIFY_SOCKET) return;
    try {
      this.#native = createRequire(import.meta.url)('sd-notify') as NativeNotify;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'NOTIFY_SOCKET is set but the sd-notify addon cannot be loaded');
      throw new AgentError('AGENT_E_INTERNAL', 'NOTIFY_SOCKET is set (systemd Type=notify) but the sd-notify addon is not installed, so systemd would never see READY=1; install libsystemd-dev and run `npm rebuild sd-notify`, or start without NOTIFY_SOCKET', { cause: err });
    }
  }

  get active(): boolean {
    return this.#native !== null;
  }

  #send(state: string): void {
    this.#native?.sendState(state);
  }

  ready(status: string): void {
    this.#send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
  }

  status(text: string): void {
    this.#send(`STATUS=${text}`);
  }

  reloading(): void {
    const monotonicUsec = process.hrtime.bigint() / 1000n;
    this.#send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec}`);
  }

  stopping(status: string): void {
    this.#send(`STOPPING=1\nSTATUS=${status}`);
  }

  /** Pets the watchdog at half the interval systemd asked for, when it asked this process. */
  startWatchdog(): number | null {
    const usec = Number(process.env.WATCHDOG_USEC);
    const pid = process.env.WATCHDOG_PID;
    if (!this.#native || !Number.isFinite(usec) || usec <= 0 || (pid && Number(pid) !== process.pid)) return null;
    const every = Math.max(1, Math.floor(usec / 2000));
    this.#send('WATCHDOG=1');
    this.#watchdog = setInterval(() => this.#send('WATCHDOG=1'), every);
    this.#watchdog.unref();
    return every;
  }

  stopWatchdog(): void {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = null;
  }
}
