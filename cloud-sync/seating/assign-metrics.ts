// The cloud's assign metrics, fed from stored assign.completed events: the CLI (and later the console and the hub's
// walk-in desk) runs in a process no Prometheus scrapes, so the running service observes what they stored. A pass
// reads the events committed since its watermark, in commit order as the double-admission detector reads check-ins
// (sql 0011, 0015): each event is observed once across replicas, however late its transaction committed.
import { Gauge, Histogram, type Registry } from 'prom-client';
import { ADVISORY_LOCKS } from '../../sql/advisory-locks';
import { COMMITTED_BETWEEN_SNAPSHOTS, CommitOrderPass, type PassWindow } from '../commit-order-pass';
import type { Db, Queryable } from '../db';

/** Seconds: a re-seat of a few guests takes milliseconds, a wedding of 200 a second or two, 10,000 guests ten. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export class AssignMetrics extends CommitOrderPass {
  readonly duration: Histogram<'tenant' | 'venue' | 'channel'>;
  readonly feasible: Gauge<'tenant' | 'venue' | 'channel'>;

  constructor(db: Db, registry: Registry) {
    super(db, ADVISORY_LOCKS.assignMetricsPass, 'telemetry.assign_metrics_watermark');
    // One series per tenant, venue and channel (three channels): bounded like the device metrics.
    this.duration = new Histogram({ name: 'seatpilot_assign_duration_seconds', help: 'Wall time of a seating assign run (assign.completed duration_ms).', labelNames: ['tenant', 'venue', 'channel'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.feasible = new Gauge({ name: 'seatpilot_assign_feasible_ratio', help: 'Guests seated / guests to seat of the latest assign run, 0-1.', labelNames: ['tenant', 'venue', 'channel'], registers: [registry] });
  }

  /** The assign runs of the window, observed; returns how many. */
  protected async process(q: Queryable, window: PassWindow): Promise<number> {
    const rows = await q.query<{ tenant_id: string; venue_id: string; channel: string; duration_ms: number; feasible: number }>(
      `SELECT tenant_id, venue_id, payload->>'channel' AS channel, (payload->>'duration_ms')::float8 AS duration_ms, (payload->>'feasible')::float8 AS feasible
         FROM telemetry.events_raw
        WHERE type = 'assign.completed' AND ${COMMITTED_BETWEEN_SNAPSHOTS}
        ORDER BY occurred_at`,
      [window.before, window.after],
    );
    // Observed inside the pass's transaction: a commit that fails afterwards observes them again next pass (a double
    // count on a rare failure beats a lost run).
    for (const r of rows) {
      const labels = { tenant: r.tenant_id, venue: r.venue_id, channel: r.channel };
      this.duration.observe(labels, r.duration_ms / 1000);
      this.feasible.set(labels, r.feasible);
    }
    return rows.length;
  }
}
