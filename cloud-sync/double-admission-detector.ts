// Finds double admissions after ingest, off its hot path: reads the check-ins stored since its watermark, records
// their movements and flags each new pair of entries of one guest at two devices that the guest's occasion's re-entry
// policy would have refused (core/checkin/double-admission.ts).
//
// It reads in commit order (cloud-sync/commit-order-pass.ts): a batch that commits late is read by the first pass
// after it commits, never skipped, and no settle time is needed.
import { Counter, type Registry } from 'prom-client';
import type { Direction, ReentryPolicy } from '../core/contract/contract';
import { DEFAULT_REENTRY, findDoubleAdmissions, type Admission } from '../core/checkin/double-admission';
import { ADVISORY_LOCKS } from '../sql/advisory-locks';
import { COMMITTED_BETWEEN_SNAPSHOTS, CommitOrderPass, type PassWindow } from './commit-order-pass';
import type { Db, Queryable } from './db';

interface Row extends Admission {
  tenant_id: string;
  venue_id: string;
}

export class DoubleAdmissionDetector extends CommitOrderPass {
  private readonly counter: Counter;

  constructor(db: Db, registry: Registry) {
    super(db, ADVISORY_LOCKS.doubleAdmissionPass, 'telemetry.double_admission_watermark');
    this.counter = new Counter({ name: 'seatpilot_double_admissions_total', help: 'Pairs of admissions of one guest at two devices with no exit between (kiosks cut off from the hub).', registers: [registry] });
  }

  /** The check-ins of the window: their movements recorded, each new pair flagged; returns the pairs flagged. */
  protected async process(q: Queryable, window: PassWindow): Promise<number> {
    const fresh = (await q.query<Omit<Row, 'occurred_at'> & { occurred_at: Date }>(
      `SELECT tenant_id, venue_id, event_id::text, device_id, payload->>'guest_id' AS guest_id, payload->>'direction' AS direction, occurred_at
         FROM telemetry.events_raw
        WHERE type = 'checkin.succeeded' AND ${COMMITTED_BETWEEN_SNAPSHOTS}`,
      [window.before, window.after],
    )).map((r) => ({ ...r, occurred_at: r.occurred_at.toISOString() }));
    let flagged = 0;
    const groups = new Map<string, Row[]>();
    for (const r of fresh) {
      const k = `${r.tenant_id}\u0000${r.venue_id}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
    }
    for (const rows of groups.values()) flagged += await this.flagGroup(q, rows);
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
