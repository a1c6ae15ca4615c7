// `seatpilot cloud seating assign`: seats an occasion's guests with the seating engine (occasion-plan.ts, the path the
// console's auto-assign takes in a worker), writes the changed tables in one transaction (applyMoves, which the
// console's apply uses too: the guest rows' versions bump, so the hub's pull and then the kiosks get them) and stores
// an assign.completed event for the venue's tenant, which the cloud service turns into its assign metrics
// (cloud-sync/seating/assign-metrics.ts).
import { randomUUID } from 'node:crypto';
import type { AssignCompletedPayload } from '../../core/contract/contract';
import { checkEvent } from '../../core/contract/validate';
import { AdminError } from '../admin';
import { recordUsage } from '../billing/billing';
import type { Db, Queryable } from '../db';
import { lockVenue } from '../guestlist/common';
import { PgStore } from '../pg-store';
import type { OccasionGuest, OccasionRelation, OccasionTable } from './occasion-problem';
import { assignCompletedPayload, planOccasion, type OccasionData, type OccasionPlan } from './occasion-plan';

export type AssignChannel = AssignCompletedPayload['channel'];
/** The device id assign.completed events from the cloud's own tools carry (they come from no venue device). */
export const ASSIGN_DEVICE_ID = 'cloud-seating';

export interface AssignOptions {
  occasionId: string;
  dryRun?: boolean;
  timeLimitMs?: number;
  seed?: number;
  channel?: AssignChannel;
}

export interface AssignChange {
  guest_id: string;
  name: string;
  from: string | null;
  to: string | null;
}

/** The run's plan without its moves (they are `changes`, with table labels). */
export interface AssignSummary extends Omit<OccasionPlan, 'moves'> {
  occasion_id: string;
  venue_id: string;
  dry_run: boolean;
  /** Guests whose table differs from the current plan (labels; null: no table). */
  changes: AssignChange[];
  /** Whether any change was written. */
  written: boolean;
  /** Guests of `changes` not written: moved (or revoked) while the engine ran, so left where they are now. */
  skipped: string[];
}

/**
 * The occasion's tables, its active guests (revoked ones keep whatever table they have: they will not come in) and
 * relations. `tenantId` (the console's session): another tenant's occasion is "no occasion", whatever the row security.
 */
export async function loadOccasion(q: Queryable, occasionId: string, tenantId?: string): Promise<OccasionData> {
  const [occ] = await q.query<{ venue_id: string; tenant_id: string }>(
    `SELECT venue_id, tenant_id FROM guestlist.occasions WHERE id = $1 AND NOT deleted${tenantId === undefined ? '' : ' AND tenant_id = $2'}`,
    tenantId === undefined ? [occasionId] : [occasionId, tenantId],
  );
  if (!occ) throw new AdminError(`no occasion "${occasionId}"`);
  const tables = await q.query<OccasionTable>(
    `SELECT t.id, t.label, t.capacity, coalesce(tt.tags, '{}') AS tags FROM guestlist.seating_tables t
       LEFT JOIN guestlist.seating_table_tags tt ON tt.table_id = t.id
      WHERE t.venue_id = $1 AND NOT t.deleted ORDER BY t.label`,
    [occ.venue_id],
  );
  const guests = await q.query<OccasionGuest>(
    `SELECT g.id, g.name, g.party_size, g.table_id, s.grp AS "group", coalesce(s.together_with, '{}') AS together_with,
            coalesce(s.apart_from, '{}') AS apart_from, coalesce(s.needs, '{}') AS needs, coalesce(s.seat_locked, false) AS seat_locked
       FROM guestlist.guests g LEFT JOIN guestlist.guest_seating s ON s.guest_id = g.id
      WHERE g.venue_id = $1 AND g.occasion_id = $2 AND NOT g.deleted AND g.status = 'active' ORDER BY g.id`,
    [occ.venue_id, occasionId],
  );
  const relations = await q.query<OccasionRelation>('SELECT a, b, score, rule FROM guestlist.seating_relations WHERE occasion_id = $1 ORDER BY a, b', [occasionId]);
  return { occasion_id: occasionId, ...occ, tables, guests, relations };
}

/**
 * Writes a plan's moves under the venue lock, each only where the guest (an active guest of the occasion) still sits
 * at `from`: a guest moved meanwhile (an import, a hand move) is left alone. The rows' sync versions bump, so the hub's
 * pull and then the kiosks get the new tables. Answers the guest ids written.
 */
export async function applyMoves(q: Queryable, where: { venueId: string; occasionId: string }, moves: readonly { guest_id: string; from: string | null; to: string | null }[]): Promise<string[]> {
  const rows = moves.filter((m) => m.from !== m.to);
  if (!rows.length) return [];
  await lockVenue(q, where.venueId);
  const written = await q.query<{ id: string }>(
    `UPDATE guestlist.guests g SET table_id = r.to_id
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, from_id text, to_id text)
      WHERE g.id = r.id AND g.venue_id = $2 AND g.occasion_id = $3 AND NOT g.deleted AND g.status = 'active'
        AND g.table_id IS NOT DISTINCT FROM r.from_id
      RETURNING g.id`,
    [JSON.stringify(rows.map((r) => ({ id: r.guest_id, from_id: r.from, to_id: r.to }))), where.venueId, where.occasionId],
  );
  return written.map((r) => r.id);
}

export async function assignSeats(db: Db, opts: AssignOptions): Promise<AssignSummary> {
  const channel = opts.channel ?? 'cli';
  const data = await loadOccasion(db, opts.occasionId);
  const outcome = await planOccasion(data, { timeLimitMs: opts.timeLimitMs ?? 2000, seed: opts.seed ?? 1 });
  if (!outcome.ok) throw new AdminError(outcome.message);
  const { plan } = outcome;
  const labelOf = new Map(data.tables.map((t) => [t.id, t.label]));
  const label = (id: string | null) => id && (labelOf.get(id) ?? id);
  const changes: AssignChange[] = plan.moves.map((m) => ({ guest_id: m.guest_id, name: m.name, from: label(m.from), to: label(m.to) }));

  let written = false;
  let skipped: string[] = [];
  if (!opts.dryRun && plan.moves.length) {
    const wrote = new Set(await db.tx((q) => applyMoves(q, { venueId: data.venue_id, occasionId: data.occasion_id }, plan.moves)));
    // A guest moved (or revoked) while the engine ran keeps where it is now.
    skipped = plan.moves.filter((m) => m.from !== m.to && !wrote.has(m.guest_id)).map((m) => m.guest_id);
    written = wrote.size > 0;
  }
  await storeAssignCompleted(db, data.tenant_id, data.venue_id, assignCompletedPayload(plan, channel));

  const { moves: _moves, ...summary } = plan;
  return { occasion_id: opts.occasionId, venue_id: data.venue_id, dry_run: opts.dryRun === true, ...summary, changes, written, skipped };
}

/**
 * Stored as ingest stores an event: deduplicated by event_id and metered for the tenant. No device is counted: the
 * event comes from the cloud's own tool, not from a device of the venue's allowance.
 */
export async function storeAssignCompleted(db: Db, tenantId: string, venueId: string, payload: AssignCompletedPayload): Promise<void> {
  const checked = checkEvent({ event_id: randomUUID(), type: 'assign.completed', occurred_at: new Date().toISOString(), venue_id: venueId, device_id: ASSIGN_DEVICE_ID, payload });
  if (!checked.ok) throw new Error(`assign.completed does not fit the contract: ${checked.detail}`);
  const store = new PgStore(db, { afterBatch: (q, caller, inserted, rejected) => recordUsage(q, { tenantId: caller.tenantId, venueId: caller.venueId, deviceIds: [], accepted: inserted.length, rejected }) });
  await store.storeBatch({ keyId: ASSIGN_DEVICE_ID, tenantId, venueId, deviceId: ASSIGN_DEVICE_ID, deviceKind: 'agent' }, randomUUID(), [checked.event], []);
}

/** One line for people, after the JSON. */
export function summaryLine(s: AssignSummary): string {
  const proof = s.optimal ? 'optimal' : s.gap === null ? 'no bound' : `gap ${(s.gap * 100).toFixed(1)} %`;
  const moved = s.changes.length - s.skipped.length;
  const what = s.dry_run ? 'dry run, nothing written'
    : s.written ? `${moved} guests moved${s.skipped.length ? `, ${s.skipped.length} left where they are (moved meanwhile)` : ''}`
      : s.skipped.length ? `nothing written: ${s.skipped.length} guests were moved meanwhile` : 'nothing to change';
  return `seated ${s.guests_seated}/${s.guests_to_seat} guests (${s.locked} kept at their table), ${s.unseated.length} parties unseated, score ${s.score} (${proof}), ${s.duration_ms} ms; ${what}`;
}
