// The seating chart's hand edits, each in the request's scoped transaction under the venue lock (the order every
// guest-list writer takes): a move checked by core/seating/move-check.ts (a together block moves as one; the guests'
// table_id changes bump their sync versions, so the hub and the doors get them), a seat lock, and one party's
// relations. Each is audited; the guest's version refuses an edit made from a stale chart (409).
import type { ChartParty, ChartRelation, LockRequest, MoveRequest, MoveResult, PartyRelations, SeatingChart } from '../../../core/console/seating';
import { checkMove } from '../../../core/seating/move-check';
import type { Queryable } from '../../db';
import { lockVenue } from '../../guestlist/common';
import { recordAudit, type AuditActor } from '../audit';
import { ConsoleError, notFound } from '../errors';
import { loadChart, loadParties } from './seating-data';

export interface OccasionRef {
  id: string;
  venue_id: string;
}

const STALE = 'this party was changed meanwhile; reload the chart to see the change, then try again';

/** The chart under the venue lock, and the party named (404 unless an active guest of the occasion). */
async function lockedChart(q: Queryable, tenantId: string, occasion: OccasionRef, guestId: string): Promise<{ chart: SeatingChart; party: ChartParty }> {
  await lockVenue(q, occasion.venue_id);
  const chart = await loadChart(q, tenantId, occasion);
  const party = chart.parties.find((p) => p.guest_id === guestId);
  if (!party) throw notFound('that guest');
  return { chart, party };
}

export async function moveParty(q: Queryable, tenantId: string, occasion: OccasionRef, req: MoveRequest, who: AuditActor): Promise<MoveResult> {
  const { chart, party } = await lockedChart(q, tenantId, occasion, req.guest_id);
  if (party.version !== req.version) throw new ConsoleError('conflict', STALE);
  const check = checkMove({ tables: chart.tables, parties: chart.parties, relations: chart.relations, guestId: req.guest_id, toTableId: req.table_id });
  if (!check.ok) {
    const { ok: _ok, ...refusal } = check;
    throw new ConsoleError('seat_refused', check.message, { refusal });
  }
  const byId = new Map(chart.parties.map((p) => [p.guest_id, p]));
  const changing = check.moving.map((id) => byId.get(id)!).filter((p) => p.table_id !== req.table_id);
  if (changing.length) {
    await q.query('UPDATE guestlist.guests SET table_id = $3 WHERE tenant_id = $1 AND id = ANY($2::text[]) AND NOT deleted', [tenantId, changing.map((p) => p.guest_id), req.table_id]);
    for (const p of changing) {
      await recordAudit(q, who, {
        tenantId, action: 'seat.move', entity: 'guest', entityId: p.guest_id, venueId: occasion.venue_id,
        before: { table_id: p.table_id }, after: { table_id: req.table_id, ...(p.guest_id === req.guest_id ? {} : { with: req.guest_id }) },
      });
    }
  }
  return { moved: await loadParties(q, tenantId, occasion, check.moving) };
}

export async function lockParty(q: Queryable, tenantId: string, occasion: OccasionRef, req: LockRequest, who: AuditActor): Promise<MoveResult> {
  const { party } = await lockedChart(q, tenantId, occasion, req.guest_id);
  // guest_seating does not sync: the lock bumps no version, but one read from a stale chart is still refused.
  if (party.version !== req.version) throw new ConsoleError('conflict', STALE);
  if (party.locked !== req.locked) {
    await q.query(
      `INSERT INTO guestlist.guest_seating (guest_id, tenant_id, venue_id, seat_locked) VALUES ($1, $2, $3, $4)
       ON CONFLICT (guest_id) DO UPDATE SET seat_locked = EXCLUDED.seat_locked`,
      [party.guest_id, tenantId, occasion.venue_id, req.locked],
    );
    await recordAudit(q, who, {
      tenantId, action: req.locked ? 'seat.lock' : 'seat.unlock', entity: 'guest', entityId: party.guest_id, venueId: occasion.venue_id,
      before: { locked: party.locked, table_id: party.table_id }, after: { locked: req.locked, table_id: party.table_id },
    });
  }
  return { moved: [{ ...party, locked: req.locked }] };
}

const involving = (relations: readonly ChartRelation[], guestId: string) => relations.filter((r) => r.a === guestId || r.b === guestId);

/**
 * Replaces every relation of one party that the chart shows: its rows of guestlist.seating_relations with the
 * occasion's other active guests, and the pairs the guest file's together_with / apart_from columns gave it (moved
 * into seating_relations as the rules the planner kept), so a relation removed on the chart is gone from it. Others'
 * pairs are untouched, and so are its pairs with revoked guests (not on the chart: a guest let back in keeps them).
 * Answers the party's relations.
 */
export async function setPartyRelations(q: Queryable, tenantId: string, occasion: OccasionRef, guestId: string, req: PartyRelations, who: AuditActor): Promise<ChartRelation[]> {
  const { chart, party } = await lockedChart(q, tenantId, occasion, guestId);
  const live = new Map(chart.parties.map((p) => [p.guest_id, p]));
  const seen = new Set<string>();
  const rows: ChartRelation[] = [];
  for (const r of req.relations) {
    const other = live.get(r.other);
    const pairName = `${party.name} (${guestId}) and ${other ? `${other.name} (${r.other})` : r.other}`;
    if (r.other === guestId) throw new ConsoleError('bad_request', `${party.name} (${guestId}) cannot have a relation with itself`);
    if (!other) throw new ConsoleError('bad_request', `"${r.other}" is no active guest of this occasion`);
    if ((r.score === null) === (r.rule === null)) throw new ConsoleError('bad_request', `the relation between ${pairName} needs either a score or a rule, not ${r.score === null ? 'neither' : 'both'}`);
    if (seen.has(r.other)) throw new ConsoleError('bad_request', `the relation between ${pairName} is given twice`);
    seen.add(r.other);
    const [a, b] = guestId < r.other ? [guestId, r.other] : [r.other, guestId];
    rows.push({ a, b, score: r.score, rule: r.rule });
  }
  const before = involving(chart.relations, guestId);
  const others = chart.parties.map((p) => p.guest_id).filter((id) => id !== guestId);
  await q.query(
    'DELETE FROM guestlist.seating_relations WHERE tenant_id = $1 AND occasion_id = $2 AND ((a = $3 AND b = ANY ($4::text[])) OR (b = $3 AND a = ANY ($4::text[])))',
    [tenantId, occasion.id, guestId, others],
  );
  await q.query(
    `UPDATE guestlist.guest_seating SET together_with = array_remove(together_with, $2), apart_from = array_remove(apart_from, $2)
      WHERE tenant_id = $1 AND guest_id = ANY ($3::text[]) AND ($2 = ANY (together_with) OR $2 = ANY (apart_from))`,
    [tenantId, guestId, others],
  );
  await q.query(
    `UPDATE guestlist.guest_seating
        SET together_with = ARRAY(SELECT x FROM unnest(together_with) AS x WHERE x <> ALL ($3::text[])),
            apart_from = ARRAY(SELECT x FROM unnest(apart_from) AS x WHERE x <> ALL ($3::text[]))
      WHERE tenant_id = $1 AND guest_id = $2`,
    [tenantId, guestId, others],
  );
  if (rows.length) {
    await q.query(
      `INSERT INTO guestlist.seating_relations (tenant_id, venue_id, occasion_id, a, b, score, rule)
       SELECT $1, $2, $3, r.a, r.b, r.score, r.rule FROM jsonb_to_recordset($4::jsonb) AS r(a text, b text, score integer, rule text)`,
      [tenantId, occasion.venue_id, occasion.id, JSON.stringify(rows)],
    );
  }
  const after = involving((await loadChart(q, tenantId, occasion)).relations, guestId);
  await recordAudit(q, who, { tenantId, action: 'seat.relations', entity: 'guest', entityId: guestId, venueId: occasion.venue_id, before, after });
  return after;
}
