// Console API: the seat conflicts of a venue (sql 0020 guestlist.seat_conflicts, filled by the cloud's ingest of the
// venue's decisions, cloud-sync/desk/): two seat decisions about one guest made concurrently (the console's and the
// hub's while the WAN was down), the HLC rule of core/desk/hlc.ts kept one, and the planner is shown the other, never
// silently dropped. Listing reads; "Dismiss" acknowledges one (audited); nothing else changes a conflict.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  SeatConflictListSchema, SeatConflictQuerySchema, SeatConflictSchema, type SeatConflict, type SeatConflictList, type SeatConflictQuery,
} from '../../../core/console/desk';
import type { Queryable } from '../../db';
import { recordAudit } from '../audit';
import { notFound } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';
import { tenantVenue } from './venues';

const DEFAULT_LIMIT = 200;
const VenueParams = Type.Object({ venue: Type.String({ minLength: 1, maxLength: 128 }) });
const ConflictParams = Type.Object({ venue: Type.String({ minLength: 1, maxLength: 128 }), id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

interface Row {
  id: number | string;
  guest_id: string;
  guest_name: string | null;
  field: SeatConflict['field'];
  winner_value: string | null;
  winner_hlc: string | null;
  winner_source: string;
  winner_actor: string | null;
  winner_label: string | null;
  loser_value: string | null;
  loser_hlc: string | null;
  loser_source: string;
  loser_actor: string | null;
  loser_label: string | null;
  detected_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
}

// $1 tenant, $2 venue. A table's label is looked up even when the table was removed since (its row stays, deleted).
const SELECT_SQL = `
  SELECT c.id, c.guest_id, g.name AS guest_name, c.field,
         c.winner_value, c.winner_hlc, c.winner_source, c.winner_actor, wt.label AS winner_label,
         c.loser_value, c.loser_hlc, c.loser_source, c.loser_actor, lt.label AS loser_label,
         c.detected_at, c.acknowledged_at, c.acknowledged_by
    FROM guestlist.seat_conflicts c
    LEFT JOIN guestlist.guests g ON g.id = c.guest_id AND g.venue_id = c.venue_id
    LEFT JOIN guestlist.seating_tables wt ON c.field = 'table' AND wt.venue_id = c.venue_id AND wt.id = c.winner_value
    LEFT JOIN guestlist.seating_tables lt ON c.field = 'table' AND lt.venue_id = c.venue_id AND lt.id = c.loser_value
   WHERE c.tenant_id = $1 AND c.venue_id = $2`;

const iso = (d: Date | string) => new Date(d).toISOString();

/** The wall-clock part of an HLC (`<13-digit ms>.<counter>.<origin>`), or null. */
export function hlcTime(hlc: string | null): string | null {
  const m = hlc ? /^(\d{13})\./.exec(hlc) : null;
  return m ? new Date(Number(m[1])).toISOString() : null;
}

function conflictOf(r: Row): SeatConflict {
  const side = (p: 'winner' | 'loser') => ({
    value: r[`${p}_value`], table_label: r[`${p}_label`], source: r[`${p}_source`], actor: r[`${p}_actor`], hlc: r[`${p}_hlc`], hlc_at: hlcTime(r[`${p}_hlc`]),
  });
  return {
    id: Number(r.id), guest_id: r.guest_id, guest_name: r.guest_name, field: r.field, winner: side('winner'), loser: side('loser'),
    detected_at: iso(r.detected_at), acknowledged_at: r.acknowledged_at === null ? null : iso(r.acknowledged_at), acknowledged_by: r.acknowledged_by,
  };
}

async function oneConflict(q: Queryable, tenantId: string, venueId: string, id: string): Promise<SeatConflict | null> {
  const [r] = await q.query<Row>(`${SELECT_SQL} AND c.id = $3`, [tenantId, venueId, id]);
  return r ? conflictOf(r) : null;
}

export function registerSeatConflictRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;

  api.get<{ Params: { venue: string }; Querystring: SeatConflictQuery }>('/venues/:venue/seat-conflicts', {
    onRequest: guard(db, 'read', ctx.now),
    schema: { params: VenueParams, querystring: SeatConflictQuerySchema, response: { 200: SeatConflictListSchema } },
  }, async (request): Promise<SeatConflictList> => {
    const s = sessionOf(request);
    const venueId = request.params.venue;
    return scoped(db, s, async (q) => {
      await tenantVenue(q, s.tenantId, venueId);
      const rows = await q.query<Row>(
        `${SELECT_SQL} ORDER BY (c.acknowledged_at IS NULL) DESC, c.detected_at DESC, c.id DESC LIMIT $3`,
        [s.tenantId, venueId, request.query.limit ?? DEFAULT_LIMIT],
      );
      const [n] = await q.query<{ n: number | string }>(
        'SELECT count(*) AS n FROM guestlist.seat_conflicts WHERE tenant_id = $1 AND venue_id = $2 AND acknowledged_at IS NULL', [s.tenantId, venueId]);
      return { venue_id: venueId, unacknowledged: Number(n?.n ?? 0), conflicts: rows.map(conflictOf) };
    });
  });

  // Dismissing one the planner has looked at. Again: answered with it as it is, nothing written twice.
  api.post<{ Params: { venue: string; id: string } }>('/venues/:venue/seat-conflicts/:id/acknowledge', {
    onRequest: guard(db, 'edit_guests', ctx.now),
    schema: { params: ConflictParams, response: { 200: SeatConflictSchema } },
  }, async (request): Promise<SeatConflict> => {
    const s = sessionOf(request);
    const { venue, id } = request.params;
    return scoped(db, s, async (q) => {
      await tenantVenue(q, s.tenantId, venue);
      const [done] = await q.query<{ acknowledged_at: Date | string }>(
        `UPDATE guestlist.seat_conflicts SET acknowledged_at = now(), acknowledged_by = $4
          WHERE tenant_id = $1 AND venue_id = $2 AND id = $3 AND acknowledged_at IS NULL RETURNING acknowledged_at`,
        [s.tenantId, venue, id, s.email],
      );
      const conflict = await oneConflict(q, s.tenantId, venue, id);
      if (!conflict) throw notFound('that seat conflict');
      if (done) {
        await recordAudit(q, actorOf(s), {
          tenantId: s.tenantId, action: 'seat_conflict.acknowledge', entity: 'seat_conflict', entityId: String(conflict.id), venueId: venue,
          before: { acknowledged_at: null },
          after: { acknowledged_at: conflict.acknowledged_at, guest_id: conflict.guest_id, field: conflict.field, kept: conflict.winner.value, lost: conflict.loser.value },
        });
      }
      return conflict;
    });
  });
}
