// The venue desk at the hub (issue 20): walk-ins seated by the hub's proposal, moves and party changes, undoing a
// check-in, all decided here on the hub's SQLite (offline from the cloud), each in one transaction with its events
// (outbox to the cloud), the doors' feed and the audit entry. Kiosks reach it through desk-routes.ts (signed), tablets
// through the tablet routes, both with a DeskActor.
//
// Each write is one better-sqlite3 transaction: the hub's guests row, its check-in row (as a door's check-in received
// by the ingest: AgentStore.applyVenueEvent), the outbox events (validated against the contract), the doors' feed
// change, the desk_pending rows and the audit entries; and the answer, kept by request_id with the request's key
// fields, so a retry is done once and the same id sent with another request is refused (request_reused).
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { DeskActor, DeskErrorCode, DeskGuest, MoveRequest, MoveResult, RevertRequest, RevertResult, WalkInProposal, WalkInProposalRequest, WalkInRequest, WalkInResult } from '../../core/contract/desk';
import { DEFAULT_STEWARD_WALK_IN_MAX, DESK_ERROR_STATUS } from '../../core/contract/desk';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { eventIdGenerator } from '../../core/contract/event-id';
import { roleAllows } from '../../core/contract/staff';
import { checkEvent, UNSTORABLE_ESCAPE } from '../../core/contract/validate';
import { pickOccasion, type OccasionRule } from '../../core/checkin/decide';
import { foldText, nameTokens } from '../../core/checkin/search-text';
import { nextHlc } from '../../core/desk/hlc';
import { rankWalkIn, type TableLoad, type WalkInTable } from '../../core/desk/walk-in';
import { eventChange, type HubAuditChange } from '../audit-log';
import type { AgentStore } from '../store';

export class DeskError extends Error {
  override name = 'DeskError';
  readonly status: number;
  constructor(readonly code: DeskErrorCode, message: string) {
    super(message);
    this.status = DESK_ERROR_STATUS[code];
  }
}

export interface VenueDeskOptions {
  /** The hub's own device id (config.device_id): the author of the events the desk makes. */
  deviceId: string;
  venueId: string;
  clock?: () => number;
  /** Walk-ins of more than this many people need a supervisor (default DEFAULT_STEWARD_WALK_IN_MAX). */
  stewardWalkInMax?: number;
}

type RequestKind = 'walk_in' | 'move' | 'revert';

/** What makes two desk requests the same request (desk_requests, venue migration 0011): a retry carries all of it. */
interface RequestKey {
  guest_id: string | null;
  /** 1 when the request names a table (a walk-in; a move with to_table_id), 0 when it keeps the guest's. */
  table_given: 0 | 1;
  table_id: string | null;
  party_size: number | null;
  name: string | null;
}

/**
 * Client text bound for an event must pass checkEvent's storable-text rule (core/contract/validate.ts: no NUL, no lone
 * UTF-16 surrogate, which PostgreSQL's jsonb refuses). Checked before the transaction, so such text is the caller's
 * 400 bad_request, never the desk's refusal to queue its own event (a 500).
 */
function requireStorable(text: string, what: string): void {
  if (UNSTORABLE_ESCAPE.test(JSON.stringify(text))) {
    throw new DeskError('bad_request', `The ${what} holds a character that cannot be stored (an invisible control character or a broken symbol): please type it again.`);
  }
}

interface GuestRow {
  id: string;
  occasion_id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  status: 'active' | 'revoked';
  table_hlc: string | null;
  party_hlc: string | null;
}

interface LoadRow {
  id: string;
  label: string;
  capacity: number;
  tags_json: string | null;
  seated: number;
  parties: number;
  guests: number;
}

const tagsOf = (json: string | null): string[] => {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
};

export class VenueDesk {
  private readonly s: Record<string, Statement>;
  private readonly clock: () => number;
  private readonly newId: () => string;

  constructor(readonly store: AgentStore, readonly opts: VenueDeskOptions) {
    this.clock = opts.clock ?? Date.now;
    this.newId = eventIdGenerator(this.clock);
    const p = (sql: string) => store.db.prepare(sql);
    this.s = {
      occasions: p('SELECT id, reentry_policy, starts_ms, ends_ms FROM occasions'),
      // The tables and what the occasion's active guests put on them, in one grouped read.
      load: p(`SELECT t.id, t.label, t.capacity, t.tags_json, coalesce(l.seated, 0) AS seated, coalesce(l.parties, 0) AS parties,
                      (SELECT count(*) FROM guests WHERE occasion_id = @occasion AND status = 'active') AS guests
                 FROM tables t
                 LEFT JOIN (SELECT table_id, sum(party_size) AS seated, count(*) AS parties FROM guests
                             WHERE occasion_id = @occasion AND status = 'active' AND table_id IS NOT NULL GROUP BY table_id) l
                   ON l.table_id = t.id`),
      tableLoad: p(`SELECT t.id, t.label, t.capacity, t.tags_json,
                           (SELECT coalesce(sum(party_size), 0) FROM guests WHERE table_id = t.id AND occasion_id = @occasion AND status = 'active') AS seated,
                           0 AS parties, 0 AS guests
                      FROM tables t WHERE t.id = @table`),
      tableLabel: p('SELECT label FROM tables WHERE id = ?').pluck(),
      guest: p('SELECT id, occasion_id, name, party_size, table_id, status, table_hlc, party_hlc FROM guests WHERE id = ?'),
      addGuest: p(`INSERT INTO guests (id, occasion_id, name, name_folded, party_size, table_id, status, valid_from, valid_to, valid_from_ms, valid_to_ms,
                                       version, table_hlc, party_hlc, origin)
                   VALUES (?, ?, ?, ?, ?, ?, 'active', NULL, NULL, NULL, NULL, 0, ?, ?, 'venue')`),
      addToken: p('INSERT OR IGNORE INTO guest_name_tokens (token, guest_id) VALUES (?, ?)'),
      seat: p('UPDATE guests SET table_id = ?, party_size = ?, table_hlc = ?, party_hlc = ? WHERE id = ?'),
      pending: p(`INSERT INTO desk_pending (guest_id, field, value, hlc, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
                  ON CONFLICT (guest_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, event_id = excluded.event_id, created_at = excluded.created_at`),
      lastCheckin: p(`SELECT event_id FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL AND direction = 'entry'
                      ORDER BY occurred_ms DESC, id DESC LIMIT 1`).pluck(),
      request: p('SELECT kind, guest_id, table_given, table_id, party_size, name, result_json FROM desk_requests WHERE request_id = ?'),
      remember: p(`INSERT INTO desk_requests (request_id, kind, guest_id, table_given, table_id, party_size, name, result_json, created_at)
                   VALUES (@request_id, @kind, @guest_id, @table_given, @table_id, @party_size, @name, @result_json, @created_at)`),
    };
  }

  /** Where the hub would seat the party; writes nothing but the assign.completed (channel walk_in) it measures. */
  proposeWalkIn(req: WalkInProposalRequest, _actor: DeskActor): WalkInProposal {
    const started = performance.now();
    const occasion = this.occasionUnderWay();
    const rows = this.s.load!.all({ occasion: occasion.id }) as LoadRow[];
    const tables: WalkInTable[] = rows.map((r) => ({ id: r.id, label: r.label, capacity: r.capacity, tags: tagsOf(r.tags_json) }));
    const load = new Map<string, TableLoad>(rows.map((r) => [r.id, { seated: r.seated, parties: r.parties }]));
    const proposal = rankWalkIn({
      tables,
      load,
      party_size: req.party_size,
      ...(req.needs ? { needs: req.needs } : {}),
      guests: rows[0]?.guests ?? 0,
      clock: () => performance.now(),
      startedMs: started,
    });
    const event = this.event('assign.completed', {
      duration_ms: proposal.duration_ms,
      feasible: proposal.options.length ? 1 : 0,
      channel: 'walk_in',
      guests: proposal.guests,
      tables: proposal.tables,
      // Every table is looked at: the first option is the best by the proposal's rule.
      optimal: true,
      gap: 0,
    });
    this.store.db.transaction(() => this.queue(event))();
    return proposal;
  }

  /** Adds the walk-in (guest.added) and checks them in (checkin.succeeded, credential_kind manual) at once. */
  addWalkIn(req: WalkInRequest, actor: DeskActor): WalkInResult {
    const name = req.name.trim();
    if (!name) throw new DeskError('bad_request', 'Please type the guest\'s name.');
    requireStorable(name, 'name');
    requireStorable(actor.door_id, 'door id');
    // The role first: a stored answer is no way round it.
    const max = this.stewardMax();
    if (req.party_size > max && !roleAllows(actor.role, 'supervisor')) {
      throw new DeskError('supervisor_required', `A walk-in party of more than ${max} needs a supervisor.`);
    }
    const key: RequestKey = { guest_id: null, table_given: 1, table_id: req.table_id, party_size: req.party_size, name };
    return this.store.db.transaction((): WalkInResult => {
      const prior = this.replay<WalkInResult>(req.request_id, 'walk_in', key);
      if (prior) return prior;
      const lookupStarted = performance.now();
      const occasion = this.occasionUnderWay();
      let label: string | null = null;
      if (req.table_id !== null) {
        const t = this.tableWithLoad(req.table_id, occasion.id);
        if (t.capacity - t.seated < req.party_size) throw new DeskError('table_full', `${t.label} has ${Math.max(0, t.capacity - t.seated)} free seats, the party is ${req.party_size}.`);
        label = t.label;
      }
      const lookupMs = performance.now() - lookupStarted;
      const nowMs = this.clock();
      const guestId = `w-${randomUUID()}`;
      const hlc = nextHlc(nowMs, 'venue');
      this.s.addGuest!.run(guestId, occasion.id, name, foldText(name), req.party_size, req.table_id, hlc, hlc);
      for (const t of nameTokens(name)) this.s.addToken!.run(t, guestId);
      const added = this.event('guest.added', {
        guest_id: guestId, name, party_size: req.party_size, table_id: req.table_id, door_id: actor.door_id, by_role: actor.role, occasion_id: occasion.id, hlc,
      });
      const checkin = this.event('checkin.succeeded', {
        guest_id: guestId, credential_kind: 'manual', door_id: actor.door_id, direction: 'entry', table_id: req.table_id, party_size: req.party_size,
        offline: false, stages: { parse_ms: 0, lookup_ms: lookupMs },
      });
      this.queue(added, actor);
      // The doors learn the guest before the check-in that names them.
      this.store.feedOwnGuestChange(guestId);
      this.queue(checkin, actor);
      this.store.applyVenueEvent(checkin);
      this.s.pending!.run(guestId, 'table', req.table_id, hlc, added.event_id, new Date(nowMs).toISOString());
      const result: WalkInResult = {
        guest: { id: guestId, name, party_size: req.party_size, table_id: req.table_id, table_label: label },
        guest_event_id: added.event_id,
        checkin_event_id: checkin.event_id,
        created: true,
      };
      this.remember(req.request_id, 'walk_in', key, result);
      return result;
    })();
  }

  /** Moves a guest to another table and/or changes the party's size (seat.changed). */
  move(req: MoveRequest, actor: DeskActor): MoveResult {
    // The door's id goes into the seat.changed event like a walk-in's and a revert's.
    requireStorable(actor.door_id, 'door id');
    const key: RequestKey = {
      guest_id: req.guest_id, table_given: req.to_table_id === undefined ? 0 : 1, table_id: req.to_table_id ?? null, party_size: req.party_size ?? null, name: null,
    };
    return this.store.db.transaction((): MoveResult => {
      const prior = this.replay<MoveResult>(req.request_id, 'move', key);
      if (prior) {
        // What the first request did is what this caller must be allowed to do.
        this.requireMoveRole(actor, prior.from_table_id, prior.guest.table_id, prior.from_party_size, prior.guest.party_size);
        return prior;
      }
      const g = this.activeGuest(req.guest_id);
      const toTable = req.to_table_id === undefined ? g.table_id : req.to_table_id;
      const party = req.party_size ?? g.party_size;
      const tableChanged = toTable !== g.table_id;
      const partyChanged = party !== g.party_size;
      this.requireMoveRole(actor, g.table_id, toTable, g.party_size, party);
      let label: string | null = null;
      if (toTable !== null) {
        // Another table must exist here; the guest's own may have been deleted at the hub since (a cloud tombstone):
        // a party change there is still theirs to make, with no seats to count.
        const t = tableChanged ? this.tableWithLoad(toTable, g.occasion_id) : (this.s.tableLoad!.get({ table: toTable, occasion: g.occasion_id }) as LoadRow | undefined);
        if (t) {
          label = t.label;
          // The guest's own seats at their own table are theirs to keep; a smaller party always fits where it sits.
          const free = t.capacity - t.seated + (toTable === g.table_id ? g.party_size : 0);
          if ((tableChanged || party > g.party_size) && free < party) throw new DeskError('table_full', `${t.label} has ${Math.max(0, free)} free seats, the party is ${party}.`);
        }
      }
      const guest: DeskGuest = { id: g.id, name: g.name, party_size: party, table_id: toTable, table_label: label };
      if (!tableChanged && !partyChanged) {
        const same: MoveResult = { guest, from_table_id: g.table_id, from_party_size: g.party_size, event_id: null, hlc: null, created: true };
        this.remember(req.request_id, 'move', key, same);
        return same;
      }
      const nowMs = this.clock();
      const hlc = nextHlc(nowMs, 'venue', g.table_hlc, g.party_hlc);
      this.s.seat!.run(toTable, party, tableChanged ? hlc : g.table_hlc, partyChanged ? hlc : g.party_hlc, g.id);
      const event = this.event('seat.changed', {
        guest_id: g.id, from_table_id: g.table_id, to_table_id: toTable, source: 'hub', by_role: actor.role, hlc,
        ...(partyChanged ? { party_size: party, from_party_size: g.party_size } : {}),
      });
      const at = new Date(nowMs).toISOString();
      if (tableChanged) this.s.pending!.run(g.id, 'table', toTable, hlc, event.event_id, at);
      if (partyChanged) this.s.pending!.run(g.id, 'party', String(party), hlc, event.event_id, at);
      this.queue(event, actor, {
        before: { table_id: g.table_id, party_size: g.party_size },
        after: { event_id: event.event_id, occurred_at: event.occurred_at, table_id: toTable, party_size: party, hlc },
      });
      this.store.feedOwnGuestChange(g.id);
      const result: MoveResult = { guest, from_table_id: g.table_id, from_party_size: g.party_size, event_id: event.event_id, hlc, created: true };
      this.remember(req.request_id, 'move', key, result);
      return result;
    })();
  }

  /** Undoes the guest's last check-in (checkin.reverted); supervisor only. */
  revertCheckin(req: RevertRequest, actor: DeskActor): RevertResult {
    requireStorable(req.reason, 'reason');
    requireStorable(actor.door_id, 'door id');
    // The role first: a stored answer is no way round it.
    if (!roleAllows(actor.role, 'supervisor')) throw new DeskError('supervisor_required', 'Undoing a check-in needs a supervisor.');
    const key: RequestKey = { guest_id: req.guest_id, table_given: 0, table_id: null, party_size: null, name: null };
    return this.store.db.transaction((): RevertResult => {
      const prior = this.replay<RevertResult>(req.request_id, 'revert', key);
      if (prior) return prior;
      const g = this.s.guest!.get(req.guest_id) as GuestRow | undefined;
      if (!g) throw new DeskError('not_found', 'No such guest at this venue.');
      const last = this.s.lastCheckin!.get(g.id) as string | undefined;
      if (!last) throw new DeskError('nothing_to_revert', `${g.name} is not checked in: there is nothing to undo.`);
      const event = this.event('checkin.reverted', { guest_id: g.id, reverted_event_id: last, door_id: actor.door_id, by_role: actor.role, reason: req.reason });
      this.queue(event, actor);
      // As a door's revert received by the ingest: the check-in stops counting and the doors hear of it.
      this.store.applyVenueEvent(event);
      const result: RevertResult = { guest_id: g.id, reverted_event_id: last, event_id: event.event_id, created: true };
      this.remember(req.request_id, 'revert', key, result);
      return result;
    })();
  }

  // --- inside the transactions ------------------------------------------------------------------------------------

  private stewardMax(): number {
    return this.opts.stewardWalkInMax ?? DEFAULT_STEWARD_WALK_IN_MAX;
  }

  /**
   * A steward may change a party's size at its table, but not move it to another table, nor raise it above the
   * steward's walk-in limit (else a walk-in of the limit and a +2 would seat what only a supervisor may): lowering a
   * party, or raising it within the limit, is theirs.
   */
  private requireMoveRole(actor: DeskActor, fromTable: string | null, toTable: string | null, fromParty: number, party: number): void {
    if (roleAllows(actor.role, 'supervisor')) return;
    if (toTable !== fromTable) throw new DeskError('supervisor_required', 'Moving a guest to another table needs a supervisor.');
    const max = this.stewardMax();
    if (party > fromParty && party > max) throw new DeskError('supervisor_required', `A party of more than ${max} needs a supervisor.`);
  }

  /** The occasion under way, by the doors' own pick (core/checkin/decide.ts pickOccasion, no configured occasion). */
  private occasionUnderWay(): OccasionRule {
    const o = pickOccasion(this.s.occasions!.all() as OccasionRule[], this.clock(), null);
    if (!o) throw new DeskError('no_occasion', 'No occasion is under way at this venue now.');
    return o;
  }

  private tableWithLoad(tableId: string, occasionId: string): LoadRow {
    const t = this.s.tableLoad!.get({ table: tableId, occasion: occasionId }) as LoadRow | undefined;
    if (!t) throw new DeskError('not_found', `No table ${tableId} at this venue.`);
    return t;
  }

  private activeGuest(guestId: string): GuestRow {
    const g = this.s.guest!.get(guestId) as GuestRow | undefined;
    if (!g || g.status !== 'active') throw new DeskError('not_found', 'No such guest on the list (or no longer invited).');
    return g;
  }

  private event<T extends SeatPilotEvent['type']>(type: T, payload: Extract<SeatPilotEvent, { type: T }>['payload']): Extract<SeatPilotEvent, { type: T }> {
    return {
      event_id: this.newId(),
      type,
      occurred_at: new Date(this.clock()).toISOString(),
      venue_id: this.opts.venueId,
      device_id: this.opts.deviceId,
      payload,
    } as Extract<SeatPilotEvent, { type: T }>;
  }

  /** Validated against the contract, queued for the cloud, and audited with who asked (the event's author is the hub). */
  private queue(event: SeatPilotEvent, actor?: DeskActor, fields?: Pick<HubAuditChange, 'before' | 'after'>): void {
    const check = checkEvent(event);
    if (!check.ok) throw new Error(`desk: refusing to queue ${event.type}: ${check.detail}`);
    this.store.outbox.appendValidated(check.event, this.clock());
    if (!actor) return;
    const change = eventChange(event);
    if (change) this.store.audit.append({ ...change, ...fields, deviceId: actor.device_id, actor: actor.device_id, role: actor.role });
  }

  /**
   * The answer kept for this request_id, when the stored request is this one (a retry); the same id with another
   * kind or other key fields is refused: answering it with the first request's result would say done and do nothing.
   */
  private replay<T extends { created: boolean }>(requestId: string, kind: RequestKind, key: RequestKey): T | null {
    const r = this.s.request!.get(requestId) as ({ kind: RequestKind; result_json: string } & RequestKey) | undefined;
    if (!r) return null;
    const same = r.kind === kind && r.guest_id === key.guest_id && r.table_given === key.table_given && r.table_id === key.table_id
      && r.party_size === key.party_size && r.name === key.name;
    if (!same) throw new DeskError('request_reused', 'This request id was used for another request: nothing was done. Start again from the screen.');
    return { ...(JSON.parse(r.result_json) as T), created: false };
  }

  private remember(requestId: string, kind: RequestKind, key: RequestKey, result: unknown): void {
    this.s.remember!.run({ request_id: requestId, kind, ...key, result_json: JSON.stringify(result), created_at: new Date(this.clock()).toISOString() });
  }
}
