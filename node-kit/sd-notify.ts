// Tells systemd a service (the hub, a cloud replica) is up (READY=1) and still healthy (WATCHDOG=1), so `Type=notify` +
// `WatchdogSec=` restart a hung one. Node has no unix datagram sockets, so each message goes through the `systemd-notify`
// tool (from the systemd package, present wherever the units run); the units set NotifyAccess=all because that tool is a
// child of the service.
// Without NOTIFY_SOCKET (not started by systemd) every call is a no-op.
import { execFile } from 'node:child_process';

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** Path or name of the tool; default `systemd-notify` on PATH. */
  tool?: string;
  /** Where a failure to notify is reported (once per kind of failure). */
  warn?: (message: string) => void;
}

export class SdNotify {
  private readonly env: NodeJS.ProcessEnv;
  private readonly tool: string;
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SdNotifyOptions = {}) {
    this.env = opts.env ?? process.env;
    this.tool = opts.tool ?? 'systemd-notify';
  }

  /** Whether systemd is listening (the unit is Type=notify). */
  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  /** The watchdog period systemd asked for (WATCHDOG_USEC), when it is meant for this process. */
  watchdogMs(): number | null {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return null;
    const pid = this.env.WATCHDOG_PID;
    if (pid && Number(pid) !== process.pid) return null;
    return Math.floor(usec / 1000);
  }

  /** Sends `KEY=value` lines; resolves false when nothing could be sent (logged once). */
  send(...assignments: string[]): Promise<boolean> {
    if (!this.enabled || assignments.length === 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      execFile(this.tool, assignments, { env: { ...this.env }, timeout: 10_000 }, (err) => {
        if (err) {
          const kind = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'failed';
          if (!this.warned.has(kind)) {
            this.warned.add(kind);
            (this.opts.warn ?? console.error)(
              kind === 'missing'
                ? `systemd notification not sent: ${this.tool} was not found (install the systemd package); the unit's watchdog will restart the service`
                : `systemd notification not sent: ${err.message}`,
            );
          }
          resolve(false);
          return;
        }
        resolve(true);
      });
    });
  }

  ready(status?: string): Promise<boolean> {
    return this.send('READY=1', ...(status ? [`STATUS=${status}`] : []));
  }

  stopping(): Promise<boolean> {
    this.stopWatchdog();
    return this.send('STOPPING=1');
  }

  /**
   * Pings the watchdog at half its period while `healthy()` holds: a stuck event loop or a database that stops answering
   * lets the period lapse, and systemd restarts the service.
   */
  startWatchdog(healthy: () => Promise<boolean> | boolean): void {
    const period = this.watchdogMs();
    if (period === null || this.timer) return;
    const beat = async () => {
      let ok = false;
      try {
        ok = await healthy();
      } catch {
        ok = false;
      }
      if (ok) await this.send('WATCHDOG=1');
    };
    void beat();
    this.timer = setInterval(() => void beat(), Math.max(500, Math.floor(period / 2)));
    this.timer.unref();
  }

  stopWatchdog(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
