// Finds double admissions after ingest, off its hot path: reads the check-ins stored since its watermark, records
// their movements and flags each new pair of entries of one guest at two devices that the guest's occasion's re-entry
// policy would have refused (core/checkin/double-admission.ts).
//
// It reads in commit order (sql 0011): a pass takes the check-ins whose storing transaction became visible between
// the last pass's snapshot and its own, so a batch that commits late (held on its tenant's usage row) is read by the
// first pass after it commits, never skipped, and no settle time is needed.
import { Counter, type Registry } from 'prom-client';
import type { Direction, ReentryPolicy } from '../core/contract/contract';
import { DEFAULT_REENTRY, findDoubleAdmissions, type Admission } from '../core/checkin/double-admission';
import { ADVISORY_LOCKS } from '../sql/advisory-locks';
import type { Db, Queryable } from './db';

interface Row extends Admission {
  tenant_id: string;
  venue_id: string;
}

export class DoubleAdmissionDetector {
  private readonly counter: Counter;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    registry: Registry,
  ) {
    this.counter = new Counter({ name: 'seatpilot_double_admissions_total', help: 'Pairs of admissions of one guest at two devices with no exit between (kiosks cut off from the hub).', registers: [registry] });
  }

  /**
   * A pass every `everySeconds`; after failures (the database unreachable) the wait doubles, up to a minute, and goes
   * back to `everySeconds` after the first pass that works. An error never leaves this loop.
   */
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
              // a logger that throws must not stop the detector
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

  /** One pass; returns the pairs flagged. One pass at a time, across replicas too. */
  tick(): Promise<number> {
    this.running ??= this.db.tx((q) => this.pass(q)).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(q: Queryable): Promise<number> {
    const [lock] = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ADVISORY_LOCKS.doubleAdmissionPass]);
    if (!lock?.ok) return 0;
    const [wm] = await q.query<{ seen: string }>('SELECT seen::text FROM telemetry.double_admission_watermark FOR UPDATE');
    const [now] = await q.query<{ seen: string }>('SELECT pg_current_snapshot()::text AS seen');
    const before = wm?.seen as string;
    const after = now?.seen as string;
    // The check-ins committed after the last pass's snapshot and by this one's. The xid range only narrows the index
    // scan: it spans every transaction that was running at the last pass, however long it ran.
    const fresh = (await q.query<Omit<Row, 'occurred_at'> & { occurred_at: Date }>(
      `SELECT tenant_id, venue_id, event_id::text, device_id, payload->>'guest_id' AS guest_id, payload->>'direction' AS direction, occurred_at
         FROM telemetry.events_raw
        WHERE type = 'checkin.succeeded'
          AND ingest_xid >= pg_snapshot_xmin($1::pg_snapshot) AND ingest_xid < pg_snapshot_xmax($2::pg_snapshot)
          AND NOT pg_visible_in_snapshot(ingest_xid, $1::pg_snapshot) AND pg_visible_in_snapshot(ingest_xid, $2::pg_snapshot)`,
      [before, after],
    )).map((r) => ({ ...r, occurred_at: r.occurred_at.toISOString() }));
    let flagged = 0;
    const groups = new Map<string, Row[]>();
    for (const r of fresh) {
      const k = `${r.tenant_id}\u0000${r.venue_id}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
    }
    for (const rows of groups.values()) flagged += await this.flagGroup(q, rows);
    await q.query('UPDATE telemetry.double_admission_watermark SET seen = $1::pg_snapshot', [after]);
    if (flagged) this.counter.inc(flagged);
    return flagged;
  }

  private async flagGroup(q: Queryable, rows: Row[]): Promise<number> {
    const { tenant_id, venue_id } = rows[0] as Row;
    const guests = [...new Set(rows.map((r) => r.guest_id))];
    const known = (await q.query<{ guest_id: string; event_id: string; device_id: string; direction: Direction; occurred_at: Date }>(
      `SELECT guest_id, event_id::text, device_id, direction, occurred_at FROM telemetry.admissions
        WHERE guest_id = ANY($3::text[]) AND tenant_id = $1 AND venue_id = $2`,
      [tenant_id, venue_id, guests],
    )).map((r) => ({ ...r, occurred_at: r.occurred_at.toISOString() }));
    await q.query(
      `INSERT INTO telemetry.admissions (tenant_id, venue_id, guest_id, event_id, device_id, direction, occurred_at)
       SELECT $1, $2, a.guest_id, a.event_id, a.device_id, a.direction, a.occurred_at
         FROM jsonb_to_recordset($3::jsonb) AS a(guest_id text, event_id uuid, device_id text, direction text, occurred_at timestamptz)`,
      [tenant_id, venue_id, JSON.stringify(rows)],
    );
    // The policy of each guest's occasion, from the guest list; a guest the cloud's list does not hold gets the default.
    const policies = new Map(
      (await q.query<{ id: string; reentry_policy: ReentryPolicy }>(
        `SELECT g.id, o.reentry_policy FROM guestlist.guests g JOIN guestlist.occasions o ON o.id = g.occasion_id
          WHERE g.id = ANY($2::text[]) AND g.venue_id = $1`,
        [venue_id, guests],
      )).map((r) => [r.id, r.reentry_policy]),
    );
    const pairs = findDoubleAdmissions(known, rows, (g) => policies.get(g) ?? DEFAULT_REENTRY);
    if (!pairs.length) return 0;
    const inserted = await q.query(
      `INSERT INTO telemetry.double_admissions (tenant_id, venue_id, guest_id, first_event_id, first_device_id, first_at, second_event_id, second_device_id, second_at)
       SELECT $1, $2, p.guest_id, p.first_event_id, p.first_device_id, p.first_at, p.second_event_id, p.second_device_id, p.second_at
         FROM jsonb_to_recordset($3::jsonb) AS p(guest_id text, first_event_id uuid, first_device_id text, first_at timestamptz,
                                                 second_event_id uuid, second_device_id text, second_at timestamptz)
       ON CONFLICT DO NOTHING
       RETURNING 1`,
      [tenant_id, venue_id, JSON.stringify(pairs.map((p) => ({
        guest_id: p.guest_id,
        first_event_id: p.first.event_id, first_device_id: p.first.device_id, first_at: p.first.occurred_at,
        second_event_id: p.second.event_id, second_device_id: p.second.device_id, second_at: p.second.occurred_at,
      })))],
    );
    return inserted.length;
  }
}
