// The cloud's assign metrics, fed from stored assign.completed events: the CLI (and later the console and the hub's
// walk-in desk) runs in a process no Prometheus scrapes, so the running service observes what they stored. A pass
// reads the events committed since its watermark, in commit order as the double-admission detector reads check-ins
// (sql 0011, 0015): each event is observed once across replicas, however late its transaction committed.
import { Gauge, Histogram, type Registry } from 'prom-client';
import { ADVISORY_LOCKS } from '../../sql/advisory-locks';
import type { Db, Queryable } from '../db';

/** Seconds: a re-seat of a few guests takes milliseconds, a wedding of 200 a second or two, 10,000 guests ten. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export class AssignMetrics {
  readonly duration: Histogram<'tenant' | 'venue' | 'channel'>;
  readonly feasible: Gauge<'tenant' | 'venue' | 'channel'>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    registry: Registry,
  ) {
    // One series per tenant, venue and channel (three channels): bounded like the device metrics.
    this.duration = new Histogram({ name: 'seatpilot_assign_duration_seconds', help: 'Wall time of a seating assign run (assign.completed duration_ms).', labelNames: ['tenant', 'venue', 'channel'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.feasible = new Gauge({ name: 'seatpilot_assign_feasible_ratio', help: 'Guests seated / guests to seat of the latest assign run, 0-1.', labelNames: ['tenant', 'venue', 'channel'], registers: [registry] });
  }

  /** A pass every `everySeconds`; after failures the wait doubles up to a minute. An error never leaves this loop. */
  start(everySeconds: number, onError: (e: Error) => void): void {
    if (everySeconds <= 0) return;
    this.stopped = false;
    let failures = 0;
    const next = () => {
      if (this.stopped) return;
      const waitMs = Math.min(60_000, everySeconds * 1000 * 2 ** Math.min(failures, 10));
      this.timer = setTimeout(() => {
        this.tick().then(
          () => (failures = 0),
          (e: unknown) => {
            failures++;
            try {
              onError(e instanceof Error ? e : new Error(String(e)));
            } catch {
              // a logger that throws must not stop the pass
            }
          },
        ).finally(next);
      }, waitMs);
      this.timer.unref();
    };
    next();
  }

  stop(): Promise<unknown> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }

  /** One pass; returns the events observed. */
  tick(): Promise<number> {
    this.running ??= this.db.tx((q) => this.pass(q)).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(q: Queryable): Promise<number> {
    const [lock] = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ADVISORY_LOCKS.assignMetricsPass]);
    if (!lock?.ok) return 0;
    const [wm] = await q.query<{ seen: string }>('SELECT seen::text FROM telemetry.assign_metrics_watermark FOR UPDATE');
    const [now] = await q.query<{ seen: string }>('SELECT pg_current_snapshot()::text AS seen');
    const rows = await q.query<{ tenant_id: string; venue_id: string; channel: string; duration_ms: number; feasible: number }>(
      `SELECT tenant_id, venue_id, payload->>'channel' AS channel, (payload->>'duration_ms')::float8 AS duration_ms, (payload->>'feasible')::float8 AS feasible
         FROM telemetry.events_raw
        WHERE type = 'assign.completed'
          AND ingest_xid >= pg_snapshot_xmin($1::pg_snapshot) AND ingest_xid < pg_snapshot_xmax($2::pg_snapshot)
          AND NOT pg_visible_in_snapshot(ingest_xid, $1::pg_snapshot) AND pg_visible_in_snapshot(ingest_xid, $2::pg_snapshot)
        ORDER BY occurred_at`,
      [wm?.seen, now?.seen],
    );
    await q.query('UPDATE telemetry.assign_metrics_watermark SET seen = $1::pg_snapshot', [now?.seen]);
    // Observed after the watermark moved inside the transaction; a commit that fails afterwards observes again next
    // pass (a double count on a rare failure beats a lost run).
    for (const r of rows) {
      const labels = { tenant: r.tenant_id, venue: r.venue_id, channel: r.channel };
      this.duration.observe(labels, r.duration_ms / 1000);
      this.feasible.set(labels, r.feasible);
    }
    return rows.length;
  }
}
