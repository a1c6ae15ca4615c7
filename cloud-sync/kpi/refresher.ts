// The KPI refresher: every REFRESH_EVERY_SEC, refreshes the KPI views one at a time (never two runs at once in this
// process; replicas take turns through an advisory lock), logs each refresh; hourly it also keeps events_raw's daily
// partitions made ahead and past-retention ones dropped.
import type { Queryable } from '../db';
import { KPI_VIEWS, refreshKpiView, type RefreshResult } from './kpi';
import { maintainEventPartitions } from './partitions';

/** The subset of a pino/fastify logger the refresher writes to. */
export interface OpsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const DEFAULT_REFRESH_EVERY_SEC = 60;
const MAINTENANCE_EVERY_MS = 3_600_000;

/** REFRESH_EVERY_SEC from the environment: a whole number of seconds ≥ 1; anything else stops the start with its name. */
export function refreshEverySecFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.REFRESH_EVERY_SEC;
  if (raw === undefined || raw === '') return DEFAULT_REFRESH_EVERY_SEC;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 86_400) throw new Error(`REFRESH_EVERY_SEC must be a whole number of seconds from 1 to 86400, got "${raw.slice(0, 40)}"`);
  return n;
}

export interface RefresherOptions {
  db: Queryable;
  everySec: number;
  log: OpsLogger;
  /** Keep the process alive with the timer (the standalone command) or not (inside the service). */
  keepAlive?: boolean;
  /**
   * Also told of every error caught here, under a fixed kind (`kpi refresh failed`, `partition maker failed`): the
   * service's counted sink (countedFaults, which never throws). The log lines above are written either way.
   */
  fault?: (kind: RefresherFaultKind, message: string) => void;
}

export type RefresherFaultKind = 'kpi refresh failed' | 'partition maker failed';

export class KpiRefresher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<RefreshResult[]> | undefined;
  private lastMaintenance = 0;
  private stopped = false;

  constructor(private readonly opts: RefresherOptions) {}

  start(): void {
    this.stopped = false;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.opts.everySec * 1000);
    if (!this.opts.keepAlive) this.timer.unref();
    this.opts.log.info({ everySec: this.opts.everySec }, 'kpi refresher started');
  }

  /** One round over every view; when a round is still running, this tick is skipped (and says so). */
  async runOnce(): Promise<RefreshResult[] | 'busy'> {
    if (this.running) {
      this.opts.log.warn({}, 'kpi refresh skipped: the previous refresh is still running');
      return 'busy';
    }
    this.running = this.round();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async round(): Promise<RefreshResult[]> {
    const results: RefreshResult[] = [];
    for (const view of KPI_VIEWS) {
      if (this.stopped) break;
      try {
        const r = await refreshKpiView(this.opts.db, view);
        results.push(r);
        const fields = { view, outcome: r.outcome, durationMs: Math.round(r.durationMs), rows: r.rowCount };
        if (r.outcome === 'failed') {
          this.opts.log.error({ ...fields, error: r.error }, 'kpi view refresh failed');
          this.opts.fault?.('kpi refresh failed', `${view}: ${r.error ?? 'failed'}`);
        } else this.opts.log.info(fields, r.outcome === 'refreshed' ? 'kpi view refreshed' : 'kpi view refresh skipped: another replica holds the lock');
      } catch (e) {
        // The database is unreachable or the log could not be written: say so and try again next tick.
        this.opts.log.error({ view, error: (e as Error).message }, 'kpi view refresh failed');
        this.opts.fault?.('kpi refresh failed', `${view}: ${(e as Error).message}`);
      }
    }
    if (!this.stopped && Date.now() - this.lastMaintenance >= MAINTENANCE_EVERY_MS) {
      try {
        const report = await maintainEventPartitions(this.opts.db);
        this.lastMaintenance = Date.now();
        this.opts.log.info(report, 'events_raw partitions maintained');
      } catch (e) {
        this.opts.log.error({ error: (e as Error).message }, 'events_raw partition maintenance failed');
        this.opts.fault?.('partition maker failed', (e as Error).message);
      }
    }
    return results;
  }

  /** Stops the timer and waits for a refresh in flight, so the database can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
