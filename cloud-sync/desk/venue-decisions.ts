// The venue's decisions as the cloud applies them (issue 20): walk-ins (guest.added), moves and party changes
// (seat.changed) and the hub's audit chain (audit.entry), in the ingest transaction of the batch that brought them,
// for the events that batch newly stored only (a duplicate never applies twice).
//
// Seat decisions follow the rule of core/desk/hlc.ts: per field (table, party) the decision with the greater HLC wins,
// the venue's on a tie; an event without an HLC is null, the earliest (it wins only against a field never stamped).
// A venue decision is concurrent with the cloud's when it was made from another value than the cloud's current one;
// when two decisions give different outcomes and one of them loses that way, the loser is written to
// guestlist.seat_conflicts beside the winner, so the planner sees it.
//
// A decision skipped here is still answered, or the hub keeps its own value forever (it holds each of its seat decisions
// in desk_pending until the cloud's guest carries an HLC equal to or later than its own): a move to a table the cloud
// no longer has, or a walk-in whose table is gone, stamps the cloud's value with a cloud HLC just after the venue's, so
// the guest's version moves and the hub takes the cloud's value; each such answer, and each walk-in or move the cloud
// could not take, is a seat_conflicts row the planner sees.
//
// Lock order: event ids (the ingest's insert), then the venue's guest-list lock (guestlist.lock_venue, the one every
// guest writer takes first, before any guest row is read or written, as the console and the CLI do), then the
// tenant's usage row (metering, chained after this hook in cloud-sync/app.ts): a batch waiting for the venue lock
// holds no row other venues of the tenant need.
import type { GuestAddedPayload, SeatChangedPayload, SeatPilotEvent } from '../../core/contract/contract';
import { pickOccasion, type OccasionRule } from '../../core/checkin/decide';
import { hlcWins, nextHlc } from '../../core/desk/hlc';
import type { Caller } from '../../protocol/store';
import type { BatchHook } from '../pg-store';
import type { Queryable } from '../db';

/** Why a venue decision changed nothing (stored in events_raw all the same; not an error of the batch). */
export type VenueDecisionSkip =
  /** seat.changed for a guest this venue does not have (or has deleted). */
  | 'unknown_guest'
  /** guest.added when the venue has no occasion it could belong to. */
  | 'no_occasion'
  /** guest.added whose id is another venue's guest. */
  | 'guest_id_taken'
  /** A move to a table this venue does not have (or has deleted): the cloud's table stays. */
  | 'unknown_table'
  /** seat.changed recording a decision made here (source console or engine): already applied where it was made. */
  | 'cloud_decision';

export interface VenueDecisionsResult {
  guests_added: string[];
  /** Fields a venue decision set (or, for the same outcome, whose HLC it took). */
  applied: { event_id: string; guest_id: string; field: SeatField }[];
  conflicts: number;
  audit_entries: number;
  /**
   * Audit entries refused because the cloud already holds another entry at their seq (a different hash): a hub restored
   * from a backup or a replacement box numbering its chain again. The stored entry stays (the table is append-only);
   * verifyVenueAudit reports the venue's chain broken there (reason 'forked'). The same entry sent again is no fork.
   */
  audit_forked: number;
  skipped: { event_id: string; type: string; guest_id: string | null; reason: VenueDecisionSkip }[];
}

export type SeatField = 'table' | 'party';

type AuditEntryEvent = Extract<SeatPilotEvent, { type: 'audit.entry' }>;
type SeatChangedEvent = Extract<SeatPilotEvent, { type: 'seat.changed' }>;

const DESK_TYPES: ReadonlySet<string> = new Set(['guest.added', 'seat.changed', 'audit.entry']);

const empty = (): VenueDecisionsResult => ({ guests_added: [], applied: [], conflicts: 0, audit_entries: 0, audit_forked: 0, skipped: [] });

/** Whether any event of the batch is one this module applies: the common batch (check-ins) pays only this loop. */
export function hasVenueDecisions(events: readonly SeatPilotEvent[]): boolean {
  for (const e of events) if (DESK_TYPES.has(e.type)) return true;
  return false;
}

/**
 * Applies the venue decisions among `inserted` (the events the batch newly stored), in their order. Only the hub's own
 * (the ingest refuses them from any other key, protocol/ingest.ts; checked again here so no other path applies one).
 */
export async function applyVenueDecisions(q: Queryable, caller: Caller, inserted: readonly SeatPilotEvent[]): Promise<VenueDecisionsResult> {
  const out = empty();
  if (!hasVenueDecisions(inserted) || caller.deviceKind !== 'agent') return out;
  const audit: AuditEntryEvent[] = [];
  const seats: SeatPilotEvent[] = [];
  for (const e of inserted) {
    if (e.device_id !== caller.deviceId) continue;
    if (e.type === 'audit.entry') audit.push(e);
    else if (e.type === 'guest.added' || e.type === 'seat.changed') seats.push(e);
  }
  if (audit.length) Object.assign(out, await storeAuditEntries(q, caller, audit));
  if (seats.length) {
    await q.query('SELECT guestlist.lock_venue($1)', [caller.venueId]);
    const ctx = new VenueContext(q, caller);
    // A move of a walk-in whose guest.added comes later in the batch waits for it (the hub made them in that order).
    const addedLater = new Map<string, number>();
    for (const e of seats) if (e.type === 'guest.added') addedLater.set(e.payload.guest_id, (addedLater.get(e.payload.guest_id) ?? 0) + 1);
    const waiting = new Map<string, SeatChangedEvent[]>();
    for (const e of seats) {
      if (e.type === 'guest.added') {
        const left = (addedLater.get(e.payload.guest_id) ?? 1) - 1;
        if (left > 0) addedLater.set(e.payload.guest_id, left);
        else addedLater.delete(e.payload.guest_id);
        await addWalkIn(ctx, e.event_id, e.occurred_at, e.payload, out);
        for (const m of waiting.get(e.payload.guest_id) ?? []) await changeSeat(ctx, m, m.payload, out, new Map());
        waiting.delete(e.payload.guest_id);
      } else if (e.type === 'seat.changed') {
        await changeSeat(ctx, e, e.payload, out, addedLater, waiting);
      }
    }
  }
  return out;
}

/** The ingest hook (chained before metering in cloud-sync/app.ts); `onResult` hears of batches that applied or skipped any. */
export function venueDecisionsHook(onResult?: (caller: Caller, r: VenueDecisionsResult) => void): BatchHook {
  return async (q, caller, inserted) => {
    if (!hasVenueDecisions(inserted)) return;
    const r = await applyVenueDecisions(q, caller, inserted);
    onResult?.(caller, r);
  };
}

// --- audit.entry ------------------------------------------------------------------------------------------------------

/** JSON text exactly as the hub stored it (edge-agent/audit-log.ts): null for an absent value. */
const jsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

async function storeAuditEntries(q: Queryable, caller: Caller, events: readonly AuditEntryEvent[]): Promise<{ audit_entries: number; audit_forked: number }> {
  const rows = events.map((e) => {
    const p = e.payload;
    return {
      seq: p.seq, at: p.at, device_id: p.device_id, actor: p.actor, role: p.role, action: p.action, entity: p.entity, entity_id: p.entity_id,
      before_json: jsonText(p.before), after_json: jsonText(p.after), prev_hash: p.prev_hash, hash: p.hash, event_id: e.event_id,
    };
  });
  // In seq order, so two batches carrying the same entries wait for each other instead of deadlocking.
  const stored = await q.query<{ event_id: string }>(
    `INSERT INTO telemetry.venue_audit (tenant_id, venue_id, seq, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash, event_id)
     SELECT $1, $2, r.seq, r.at, r.device_id, r.actor, r.role, r.action, r.entity, r.entity_id, r.before_json, r.after_json, r.prev_hash, r.hash, r.event_id
       FROM jsonb_to_recordset($3::jsonb) AS r(seq bigint, at text, device_id text, actor text, role text, action text, entity text, entity_id text,
                                              before_json text, after_json text, prev_hash text, hash text, event_id uuid)
      ORDER BY r.seq
     ON CONFLICT (venue_id, seq) DO NOTHING
     RETURNING event_id::text`,
    [caller.tenantId, caller.venueId, JSON.stringify(rows)],
  );
  // An entry not stored met one already there at its seq: the same entry again (same hash, a no-op), or another chain
  // reusing the seq, which would otherwise be lost unseen (its event id differs, so the ingest took it and the hub counts
  // it as sent).
  // By event id: two entries of one batch at the same seq (both chains in one push) are one stored and one left.
  const taken = new Set(stored.map((r) => r.event_id.toLowerCase()));
  const left = rows.filter((r) => !taken.has(r.event_id.toLowerCase()));
  if (!left.length) return { audit_entries: stored.length, audit_forked: 0 };
  const held = await q.query<{ seq: number | string; hash: string }>(
    'SELECT seq, hash FROM telemetry.venue_audit WHERE venue_id = $1 AND seq = ANY($2::bigint[])',
    [caller.venueId, left.map((r) => r.seq)],
  );
  const hashAt = new Map(held.map((r) => [Number(r.seq), r.hash]));
  const forked = left.filter((r) => hashAt.get(r.seq) !== r.hash).length;
  return { audit_entries: stored.length, audit_forked: forked };
}

// --- guests and seats ---------------------------------------------------------------------------------------------

interface GuestSeat {
  table_id: string | null;
  table_hlc: string | null;
  party_size: number;
  party_hlc: string | null;
}

/** What one batch reads of its venue once: occasions (for walk-ins without one) and the live tables. */
class VenueContext {
  private occasions: (OccasionRule & { id: string })[] | null = null;
  private readonly tables = new Map<string, boolean>();

  constructor(readonly q: Queryable, readonly caller: Caller) {}

  async liveOccasions(): Promise<OccasionRule[]> {
    this.occasions ??= (await this.q.query<{ id: string; reentry_policy: OccasionRule['reentry_policy']; starts_ms: number; ends_ms: number }>(
      `SELECT id, reentry_policy, (extract(epoch FROM starts_at) * 1000)::float8 AS starts_ms, (extract(epoch FROM ends_at) * 1000)::float8 AS ends_ms
         FROM guestlist.occasions WHERE tenant_id = $1 AND venue_id = $2 AND NOT deleted`,
      [this.caller.tenantId, this.caller.venueId],
    )).map((o) => ({ ...o, starts_ms: Number(o.starts_ms), ends_ms: Number(o.ends_ms) }));
    return this.occasions;
  }

  /** Whether `tableId` is a live table of this venue. */
  async tableIsLive(tableId: string): Promise<boolean> {
    let live = this.tables.get(tableId);
    if (live === undefined) {
      const rows = await this.q.query('SELECT 1 FROM guestlist.seating_tables WHERE tenant_id = $1 AND venue_id = $2 AND id = $3 AND NOT deleted', [this.caller.tenantId, this.caller.venueId, tableId]);
      live = rows.length > 0;
      this.tables.set(tableId, live);
    }
    return live;
  }
}

/** The occasion a walk-in joins: the one it names when this venue has it live, else the one under way when it came. */
async function occasionOf(ctx: VenueContext, occurredAt: string, named: string | undefined): Promise<string | null> {
  const occasions = await ctx.liveOccasions();
  if (named !== undefined && occasions.some((o) => o.id === named)) return named;
  return pickOccasion(occasions, Date.parse(occurredAt), null)?.id ?? null;
}

/** The side of a walk-in as the venue decided it, for a conflict row. */
const walkInSide = (p: GuestAddedPayload): Side => ({ value: p.table_id, hlc: p.hlc ?? null, source: 'hub', actor: `${p.door_id} (${p.by_role})` });

/**
 * A cloud HLC just after `seen` (the cloud's answer to a venue decision it could not take): later than the venue's, so
 * the hub drops its pending decision for it, yet before any decision the venue made after it (those still win).
 */
const answerHlc = (...seen: (string | null)[]): string => nextHlc(seen.some((h) => h !== null) ? 0 : Date.now(), 'cloud', ...seen);

async function addWalkIn(ctx: VenueContext, eventId: string, occurredAt: string, p: GuestAddedPayload, out: VenueDecisionsResult): Promise<void> {
  const { q, caller } = ctx;
  const occasionId = await occasionOf(ctx, occurredAt, p.occasion_id);
  if (occasionId === null) {
    out.skipped.push({ event_id: eventId, type: 'guest.added', guest_id: p.guest_id, reason: 'no_occasion' });
    // Not silently dropped: the planner sees the walk-in the cloud has no night for (the guest is not in its list).
    await recordConflict(ctx, eventId, p.guest_id, 'table', { value: null, hlc: null, source: 'cloud', actor: null }, walkInSide(p), out);
    return;
  }
  const tableLive = p.table_id === null || (await ctx.tableIsLive(p.table_id));
  const hlc = p.hlc ?? null;
  // A table the cloud no longer has: the walk-in is seated at none, with a cloud HLC after the venue's (the hub takes it).
  const tableHlc = tableLive ? hlc : answerHlc(hlc);
  // The id was made at the venue: the walk-in may already be here (sent again under another event, or added by hand).
  const added = await q.query(
    `INSERT INTO guestlist.guests (id, tenant_id, venue_id, occasion_id, name, party_size, table_id, table_hlc, party_hlc, origin)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'venue')
     ON CONFLICT DO NOTHING RETURNING id`,
    [p.guest_id, caller.tenantId, caller.venueId, occasionId, p.name, p.party_size, tableLive ? p.table_id : null, tableHlc, hlc],
  );
  if (added.length) {
    out.guests_added.push(p.guest_id);
    if (!tableLive) await recordConflict(ctx, eventId, p.guest_id, 'table', { value: null, hlc: tableHlc, source: 'cloud', actor: null }, walkInSide(p), out);
    return;
  }
  const existing = await q.query('SELECT 1 FROM guestlist.guests WHERE id = $1 AND tenant_id = $2 AND venue_id = $3', [p.guest_id, caller.tenantId, caller.venueId]);
  if (!existing.length) out.skipped.push({ event_id: eventId, type: 'guest.added', guest_id: p.guest_id, reason: 'guest_id_taken' });
}

/** One side of a seat decision, as the conflicts table keeps it. */
interface Side {
  value: string | null;
  hlc: string | null;
  source: string;
  actor: string | null;
}

async function changeSeat(
  ctx: VenueContext, e: SeatChangedEvent, p: SeatChangedPayload, out: VenueDecisionsResult,
  /** Guests whose guest.added is still to come in this batch. */
  addedLater: ReadonlyMap<string, number>, waiting?: Map<string, SeatChangedEvent[]>,
): Promise<void> {
  const { q, caller } = ctx;
  if (p.source !== 'hub') {
    out.skipped.push({ event_id: e.event_id, type: 'seat.changed', guest_id: p.guest_id, reason: 'cloud_decision' });
    return;
  }
  const rows = await q.query<GuestSeat>(
    `SELECT table_id, table_hlc, party_size, party_hlc FROM guestlist.guests
      WHERE id = $1 AND tenant_id = $2 AND venue_id = $3 AND NOT deleted FOR UPDATE`,
    [p.guest_id, caller.tenantId, caller.venueId],
  );
  const current = rows[0];
  const hlc = p.hlc ?? null;
  const actor = `${e.device_id} (${p.by_role})`;
  if (!current) {
    if (waiting && addedLater.has(p.guest_id)) {
      waiting.set(p.guest_id, [...(waiting.get(p.guest_id) ?? []), e]);
      return;
    }
    out.skipped.push({ event_id: e.event_id, type: 'seat.changed', guest_id: p.guest_id, reason: 'unknown_guest' });
    // A move of a walk-in the cloud could not add (no night for it): shown beside the walk-in's own row.
    if (await walkInRefused(ctx, p.guest_id)) {
      const cloud: Side = { value: null, hlc: null, source: 'cloud', actor: null };
      if (p.to_table_id !== p.from_table_id) await recordConflict(ctx, e.event_id, p.guest_id, 'table', cloud, { value: p.to_table_id, hlc, source: p.source, actor }, out);
      if (p.party_size !== undefined && p.party_size !== p.from_party_size) {
        await recordConflict(ctx, e.event_id, p.guest_id, 'party', cloud, { value: String(p.party_size), hlc, source: p.source, actor }, out);
      }
    }
    return;
  }
  // A +1 keeps the table (to = from): it decides the party only, never the table.
  if (p.to_table_id !== p.from_table_id) {
    await decideField(ctx, e.event_id, p.guest_id, 'table', {
      from: p.from_table_id, to: p.to_table_id, current: current.table_id, currentHlc: current.table_hlc, hlc, source: p.source, actor,
    }, out);
  }
  if (p.party_size !== undefined && p.party_size !== p.from_party_size) {
    await decideField(ctx, e.event_id, p.guest_id, 'party', {
      from: p.from_party_size === undefined ? undefined : String(p.from_party_size), to: String(p.party_size),
      current: String(current.party_size), currentHlc: current.party_hlc, hlc, source: p.source, actor,
    }, out);
  }
}

interface FieldDecision {
  /** The value the venue decided from; undefined when the event does not say (an older hub's +1). */
  from: string | null | undefined;
  to: string | null;
  current: string | null;
  currentHlc: string | null;
  hlc: string | null;
  source: string;
  actor: string;
}

const COLUMNS: Record<SeatField, { value: string; hlc: string; cast: string }> = {
  table: { value: 'table_id', hlc: 'table_hlc', cast: 'text' },
  party: { value: 'party_size', hlc: 'party_hlc', cast: 'integer' },
};

async function decideField(ctx: VenueContext, eventId: string, guestId: string, field: SeatField, d: FieldDecision, out: VenueDecisionsResult): Promise<void> {
  const { q, caller } = ctx;
  // Neither side stamped (decisions from before HLCs): a tie, which the venue wins.
  const wins = d.hlc === null && d.currentHlc === null ? true : hlcWins(d.hlc, d.currentHlc);
  const concurrent = d.from !== undefined && d.from !== d.current && !(wins && (await followsOwnDecision(ctx, guestId, field, d)));
  const sameOutcome = d.to === d.current;
  const c = COLUMNS[field];
  if (wins && field === 'table' && d.to !== null && !sameOutcome && !(await ctx.tableIsLive(d.to))) {
    out.skipped.push({ event_id: eventId, type: 'seat.changed', guest_id: guestId, reason: 'unknown_table' });
    // The cloud's table stays, answered with a cloud HLC after both (the hub drops its pending move and takes it).
    const stamped = await q.query<{ hlc: string }>(
      `UPDATE guestlist.guests SET ${c.hlc} = $4 WHERE id = $1 AND tenant_id = $2 AND venue_id = $3 RETURNING ${c.hlc} AS hlc`,
      [guestId, caller.tenantId, caller.venueId, answerHlc(d.currentHlc, d.hlc)],
    );
    const cloud: Side = { value: d.current, hlc: stamped[0]?.hlc ?? null, source: 'cloud', actor: null };
    await recordConflict(ctx, eventId, guestId, field, cloud, { value: d.to, hlc: d.hlc, source: d.source, actor: d.actor }, out);
    return;
  }
  if (wins && (!sameOutcome || d.hlc !== d.currentHlc)) {
    // The HLC set here, so the trigger guests_seat_hlc does not stamp a cloud one; an unstamped venue decision gets a
    // venue HLC from now. Also for the same outcome: the hub drops its pending decision once the cloud's HLC is its own.
    await q.query(
      `UPDATE guestlist.guests SET ${c.value} = $4::${c.cast}, ${c.hlc} = coalesce($5::text, guestlist.next_hlc(${c.hlc}, 'venue'))
        WHERE id = $1 AND tenant_id = $2 AND venue_id = $3`,
      [guestId, caller.tenantId, caller.venueId, d.to, d.hlc],
    );
    out.applied.push({ event_id: eventId, guest_id: guestId, field });
  }
  // Two different outcomes, one decided without knowing of the other (or decided earlier): the loser is kept.
  if (sameOutcome || (!concurrent && wins)) return;
  const venue: Side = { value: d.to, hlc: d.hlc, source: d.source, actor: d.actor };
  const cloud: Side = { value: d.current, hlc: d.currentHlc, ...(await currentDecider(q, caller, guestId, d.currentHlc)) };
  const [winner, loser] = wins ? [venue, cloud] : [cloud, venue];
  await recordConflict(ctx, eventId, guestId, field, winner, loser, out);
}

/** A seat_conflicts row (one per event and field: the same event again adds none). */
async function recordConflict(ctx: VenueContext, eventId: string, guestId: string, field: SeatField, winner: Side, loser: Side, out: VenueDecisionsResult): Promise<void> {
  const { q, caller } = ctx;
  const rows = await q.query(
    `INSERT INTO guestlist.seat_conflicts (tenant_id, venue_id, guest_id, field, winner_value, winner_hlc, winner_source, winner_actor,
                                           loser_value, loser_hlc, loser_source, loser_actor, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (venue_id, event_id, field) DO NOTHING RETURNING id`,
    [caller.tenantId, caller.venueId, guestId, field, winner.value, winner.hlc, winner.source, winner.actor, loser.value, loser.hlc, loser.source, loser.actor, eventId],
  );
  out.conflicts += rows.length;
}

/**
 * Whether the venue decided from a value it set itself earlier, which the cloud holds differently only because it
 * answered that decision (a walk-in's table or a move's table it no longer has): the venue's next decision follows its
 * own, so it is sequential, not concurrent with the cloud's answer. Also when the cloud's current decision is the
 * venue's own with an earlier HLC: one hub, one clock, it knew its own decision.
 */
async function followsOwnDecision(ctx: VenueContext, guestId: string, field: SeatField, d: FieldDecision): Promise<boolean> {
  if (d.currentHlc !== null && d.currentHlc.endsWith('.v')) return true;
  if (d.currentHlc === null || d.from === undefined) return false;
  const rows = await ctx.q.query(
    `SELECT 1 FROM guestlist.seat_conflicts
      WHERE venue_id = $1 AND guest_id = $2 AND field = $3 AND winner_source = 'cloud' AND loser_source = 'hub'
        AND winner_hlc = $4 AND loser_value IS NOT DISTINCT FROM $5 LIMIT 1`,
    [ctx.caller.venueId, guestId, field, d.currentHlc, d.from],
  );
  return rows.length > 0;
}

/** Whether a walk-in of this id was refused here for want of a night (its conflict row, written by addWalkIn). */
async function walkInRefused(ctx: VenueContext, guestId: string): Promise<boolean> {
  const rows = await ctx.q.query(
    `SELECT 1 FROM guestlist.seat_conflicts
      WHERE venue_id = $1 AND guest_id = $2 AND field = 'table' AND winner_source = 'cloud' AND winner_hlc IS NULL AND winner_value IS NULL LIMIT 1`,
    [ctx.caller.venueId, guestId],
  );
  return rows.length > 0;
}

/**
 * Who made the cloud's current decision, as far as the cloud knows: a venue HLC is an earlier venue decision; a cloud
 * one the console or CLI account of the guest's newest seat or guest edit in the console audit; none, the guest list
 * as imported.
 */
async function currentDecider(q: Queryable, caller: Caller, guestId: string, hlc: string | null): Promise<{ source: string; actor: string | null }> {
  if (hlc === null) return { source: 'import', actor: null };
  if (hlc.endsWith('.v')) return { source: 'hub', actor: null };
  const rows = await q.query<{ channel: string; actor: string }>(
    `SELECT channel, actor FROM console.audit_log
      WHERE tenant_id = $1 AND entity = 'guest' AND entity_id = $2 AND action IN ('seat.move', 'guest.update')
      ORDER BY id DESC LIMIT 1`,
    [caller.tenantId, guestId],
  );
  const r = rows[0];
  return r ? { source: r.channel, actor: r.actor } : { source: 'cloud', actor: null };
}
