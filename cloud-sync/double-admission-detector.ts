// Finds double admissions after ingest, off its hot path: reads the check-ins stored since its watermark, records
// their movements and flags each new pair of entries of one guest at two devices that the guest's occasion's re-entry
// policy would have refused (core/checkin/double-admission.ts).
//
// It reads in commit order (cloud-sync/commit-order-pass.ts): a batch that commits late is read by the first pass
// after it commits, never skipped, and no settle time is needed.
//
// Undone check-ins (checkin.reverted, sql 0019) are read in the same window and applied before pairing: each revert
// is kept (its check-in may arrive later), the movement it names is marked reverted and paired no more, and a pair
// flagged before the revert arrived is marked cleared (core/checkin/checkin-reverts.ts).
import { Counter, type Registry } from 'prom-client';
import type { ReentryPolicy } from '../core/contract/contract';
import { DEFAULT_REENTRY, findDoubleAdmissions, type Admission, type AdmissionPair } from '../core/checkin/double-admission';
import { applyReverts, clearedPairs, revertsByEvent, type Revert } from '../core/checkin/checkin-reverts';
import { ADVISORY_LOCKS } from '../sql/advisory-locks';
import { COMMITTED_BETWEEN_SNAPSHOTS, CommitOrderPass, type PassWindow } from './commit-order-pass';
import type { Db, Queryable } from './db';

interface Row extends Admission {
  tenant_id: string;
  venue_id: string;
}

interface RevertRow extends Revert {
  tenant_id: string;
  venue_id: string;
}

type Dated<T> = Omit<T, 'occurred_at'> & { occurred_at: Date };
const iso = <T extends { occurred_at: Date }>(r: T): Omit<T, 'occurred_at'> & { occurred_at: string } => ({ ...r, occurred_at: r.occurred_at.toISOString() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class DoubleAdmissionDetector extends CommitOrderPass {
  private readonly counter: Counter;

  constructor(db: Db, registry: Registry) {
    super(db, ADVISORY_LOCKS.doubleAdmissionPass, 'telemetry.double_admission_watermark');
    this.counter = new Counter({ name: 'seatpilot_double_admissions_total', help: 'Pairs of admissions of one guest at two devices with no exit between (kiosks cut off from the hub).', registers: [registry] });
  }

  /** The check-ins and reverts of the window: reverts applied, movements recorded, each new pair flagged; returns the pairs flagged. */
  protected async process(q: Queryable, window: PassWindow): Promise<number> {
    const fresh = (await q.query<Dated<Row>>(
      `SELECT tenant_id, venue_id, event_id::text, device_id, payload->>'guest_id' AS guest_id, payload->>'direction' AS direction, occurred_at
         FROM telemetry.events_raw
        WHERE type = 'checkin.succeeded' AND ${COMMITTED_BETWEEN_SNAPSHOTS}`,
      [window.before, window.after],
    )).map(iso);
    const reverts = (await q.query<Dated<RevertRow>>(
      `SELECT tenant_id, venue_id, event_id::text, payload->>'guest_id' AS guest_id, payload->>'reverted_event_id' AS reverted_event_id, occurred_at
         FROM telemetry.events_raw
        WHERE type = 'checkin.reverted' AND ${COMMITTED_BETWEEN_SNAPSHOTS}`,
      [window.before, window.after],
    )).map(iso).filter((r) => typeof r.guest_id === 'string' && UUID.test(r.reverted_event_id ?? ''));
    let flagged = 0;
    const groups = new Map<string, { tenant_id: string; venue_id: string; rows: Row[]; reverts: RevertRow[] }>();
    const group = (r: { tenant_id: string; venue_id: string }) => {
      const k = `${r.tenant_id}\u0000${r.venue_id}`;
      return groups.get(k) ?? groups.set(k, { tenant_id: r.tenant_id, venue_id: r.venue_id, rows: [], reverts: [] }).get(k)!;
    };
    for (const r of fresh) group(r).rows.push(r);
    for (const r of reverts) group(r).reverts.push(r);
    for (const g of groups.values()) {
      if (g.reverts.length) await this.applyReverts(q, g.tenant_id, g.venue_id, g.reverts);
      if (g.rows.length) flagged += await this.flagGroup(q, g.rows);
    }
    if (flagged) this.counter.inc(flagged);
    return flagged;
  }

  /** Keeps the window's reverts, marks the stored movements they name reverted and clears the pairs they were in. */
  private async applyReverts(q: Queryable, tenant_id: string, venue_id: string, reverts: RevertRow[]): Promise<void> {
    await q.query(
      `INSERT INTO telemetry.checkin_reverts (tenant_id, venue_id, guest_id, event_id, reverted_event_id, occurred_at)
       SELECT $1, $2, r.guest_id, r.event_id, r.reverted_event_id, r.occurred_at
         FROM jsonb_to_recordset($3::jsonb) AS r(guest_id text, event_id uuid, reverted_event_id uuid, occurred_at timestamptz)
       ON CONFLICT DO NOTHING`,
      [tenant_id, venue_id, JSON.stringify(reverts)],
    );
    const ids = [...new Set(reverts.map((r) => r.reverted_event_id.toLowerCase()))];
    const byEvent = await this.storedReverts(q, tenant_id, venue_id, ids);
    const stored = (await q.query<Dated<Admission>>(
      `SELECT guest_id, event_id::text, device_id, direction, occurred_at FROM telemetry.admissions
        WHERE tenant_id = $1 AND event_id = ANY($3::uuid[]) AND venue_id = $2 AND reverted_at IS NULL`,
      [tenant_id, venue_id, ids],
    )).map(iso);
    const { reverted } = applyReverts(stored, byEvent);
    if (reverted.length) {
      await q.query(
        `UPDATE telemetry.admissions a SET reverted_at = r.occurred_at, reverted_by_event_id = r.by_event_id
           FROM jsonb_to_recordset($3::jsonb) AS r(event_id uuid, by_event_id uuid, occurred_at timestamptz)
          WHERE a.tenant_id = $1 AND a.venue_id = $2 AND a.event_id = r.event_id AND a.reverted_at IS NULL`,
        [tenant_id, venue_id, JSON.stringify(reverted.map((x) => ({ event_id: x.admission.event_id, by_event_id: x.by.event_id, occurred_at: x.by.occurred_at })))],
      );
    }
    const pairs = (await q.query<{ guest_id: string; f_id: string; f_dev: string; f_at: Date; s_id: string; s_dev: string; s_at: Date }>(
      `SELECT guest_id, first_event_id::text AS f_id, first_device_id AS f_dev, first_at AS f_at,
              second_event_id::text AS s_id, second_device_id AS s_dev, second_at AS s_at
         FROM telemetry.double_admissions
        WHERE tenant_id = $1 AND (first_event_id = ANY($3::uuid[]) OR second_event_id = ANY($3::uuid[])) AND venue_id = $2 AND cleared_at IS NULL`,
      [tenant_id, venue_id, ids],
    )).map((p): AdmissionPair => ({
      guest_id: p.guest_id,
      first: { guest_id: p.guest_id, event_id: p.f_id, device_id: p.f_dev, direction: 'entry', occurred_at: p.f_at.toISOString() },
      second: { guest_id: p.guest_id, event_id: p.s_id, device_id: p.s_dev, direction: 'entry', occurred_at: p.s_at.toISOString() },
    }));
    const cleared = clearedPairs(pairs, byEvent);
    if (!cleared.length) return;
    await q.query(
      `UPDATE telemetry.double_admissions d SET cleared_at = now(), cleared_by_event_id = c.by_event_id
         FROM jsonb_to_recordset($2::jsonb) AS c(first_event_id uuid, second_event_id uuid, by_event_id uuid)
        WHERE d.tenant_id = $1 AND d.first_event_id = c.first_event_id AND d.second_event_id = c.second_event_id AND d.cleared_at IS NULL`,
      [tenant_id, JSON.stringify(cleared.map((c) => ({ first_event_id: c.pair.first.event_id, second_event_id: c.pair.second.event_id, by_event_id: c.by.event_id })))],
    );
  }

  /** The kept reverts (of this and earlier passes) that name any of `ids`. */
  private async storedReverts(q: Queryable, tenant_id: string, venue_id: string, ids: string[]): Promise<Map<string, Revert>> {
    if (!ids.length) return new Map();
    const rows = (await q.query<Dated<Revert>>(
      `SELECT event_id::text, guest_id, reverted_event_id::text, occurred_at FROM telemetry.checkin_reverts
        WHERE tenant_id = $1 AND reverted_event_id = ANY($3::uuid[]) AND venue_id = $2`,
      [tenant_id, venue_id, ids],
    )).map(iso);
    return revertsByEvent(rows);
  }

  private async flagGroup(q: Queryable, rows: Row[]): Promise<number> {
    const { tenant_id, venue_id } = rows[0] as Row;
    const guests = [...new Set(rows.map((r) => r.guest_id))];
    // Movements reverted already (this pass or before) are no longer there to pair with.
    const known = (await q.query<Dated<Admission>>(
      `SELECT guest_id, event_id::text, device_id, direction, occurred_at FROM telemetry.admissions
        WHERE guest_id = ANY($3::text[]) AND tenant_id = $1 AND venue_id = $2 AND reverted_at IS NULL`,
      [tenant_id, venue_id, guests],
    )).map(iso);
    // A check-in whose revert came first (batches are not ordered) is stored reverted and not paired.
    const byEvent = await this.storedReverts(q, tenant_id, venue_id, rows.map((r) => r.event_id.toLowerCase()));
    const { standing, reverted } = applyReverts(rows, byEvent);
    const revertOf = new Map(reverted.map((x) => [x.admission.event_id, x.by]));
    await q.query(
      `INSERT INTO telemetry.admissions (tenant_id, venue_id, guest_id, event_id, device_id, direction, occurred_at, reverted_at, reverted_by_event_id)
       SELECT $1, $2, a.guest_id, a.event_id, a.device_id, a.direction, a.occurred_at, a.reverted_at, a.reverted_by_event_id
         FROM jsonb_to_recordset($3::jsonb) AS a(guest_id text, event_id uuid, device_id text, direction text, occurred_at timestamptz,
                                                 reverted_at timestamptz, reverted_by_event_id uuid)`,
      [tenant_id, venue_id, JSON.stringify(rows.map((r) => {
        const by = revertOf.get(r.event_id);
        return { ...r, reverted_at: by?.occurred_at ?? null, reverted_by_event_id: by?.event_id ?? null };
      }))],
    );
    // The policy of each guest's occasion, from the guest list; a guest the cloud's list does not hold gets the default.
    const policies = new Map(
      (await q.query<{ id: string; reentry_policy: ReentryPolicy }>(
        `SELECT g.id, o.reentry_policy FROM guestlist.guests g JOIN guestlist.occasions o ON o.id = g.occasion_id
          WHERE g.id = ANY($2::text[]) AND g.venue_id = $1`,
        [venue_id, guests],
      )).map((r) => [r.id, r.reentry_policy]),
    );
    const pairs = findDoubleAdmissions(known, standing, (g) => policies.get(g) ?? DEFAULT_REENTRY);
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
