// The hub's audit (SQLite 0009): an append-only, hash-chained entry per change staff or devices make at the venue,
// written inside the transaction of that change; and the check behind `seatpilot agent audit verify`.
//
// The chain is core's (core/audit/chain.ts), one per venue. A row maps onto its hashed fields as:
//   tenant_id = venue_id = the hub's venue, channel = role (the capacity the actor acted in: 'device' for a door's own
//   decision, 'steward' / 'supervisor' for staff, 'cli' for the operator), actor_id = device_id, actor = actor,
//   entity / entity_id / action / at / seq / prev_hash as stored, before / after the stored JSON (null when absent).
// The hash is taken with node:crypto here because better-sqlite3's transactions are synchronous; the bytes hashed are
// canonicalEntry's, so core's verifyChain (and the cloud, once entries are carried up) checks them unchanged.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { canonicalEntry, verifyChain, GENESIS_HASH, type ChainBreakReason, type ChainedEntry, type ChainFields, type ChainLink } from '../core/audit/chain';
import type { AuditEntryPayload, SeatPilotEvent } from '../core/contract/contract';
import { uuidv7 } from '../core/contract/event-id';

export interface HubAuditChange {
  /** The device that made the change (a kiosk's or tablet's id), null for the operator's CLI. */
  deviceId: string | null;
  /** Who: the device id, or `cli:<os user>`. */
  actor: string;
  role: string;
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** When; defaults to the hub's clock. ISO 8601 UTC with milliseconds. */
  at?: string;
}

interface AuditRow {
  seq: number;
  venue_id: string;
  at: string;
  device_id: string | null;
  actor: string;
  role: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

/** The value as it will be read back from its JSON text (what the hash must be over). */
function stored(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

const fieldsOf = (r: Omit<AuditRow, 'prev_hash' | 'hash'>, before: unknown, after: unknown): ChainFields => ({
  seq: r.seq, tenant_id: r.venue_id, venue_id: r.venue_id, at: r.at, channel: r.role, actor_id: r.device_id, actor: r.actor,
  action: r.action, entity: r.entity, entity_id: r.entity_id, before, after,
});

/** Where the hub's entries go up to the cloud: its outbox (venue-store/outbox.ts), and the id the hub pushes as. */
export interface HubAuditCarry {
  outbox: { appendValidated(event: SeatPilotEvent, nowMs?: number): boolean };
  /** The hub's own device id (its cloud key's device): the cloud takes audit.entry only from the hub itself. */
  deviceId: string;
}

/**
 * The event id of the audit.entry carrying entry `seq` of `venueId`'s chain: a UUIDv7 whose time is the entry's own
 * (so the cloud's id indexes still grow at their right edge) and whose counter and random bits are a SHA-256 of
 * (venue, seq). The same entry always travels under the same id, so a re-queued entry is a duplicate at the cloud.
 */
export function auditEntryEventId(venueId: string, seq: number, at: string): string {
  const digest = createHash('sha256').update(`seatpilot/audit.entry\n${venueId}\n${seq}`, 'utf8').digest();
  const ms = Date.parse(at);
  const counter = ((digest[0] as number) << 4 | (digest[1] as number) >>> 4) & 0xfff;
  return uuidv7(Number.isFinite(ms) && ms >= 0 ? ms : 0, counter, (bytes) => bytes.set(digest.subarray(2, 2 + bytes.length)));
}

export class HubAudit {
  private readonly s: { head: Statement; insert: Statement; move: Statement };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly venueId: string,
    private readonly clock: () => number = Date.now,
    /** Without it (tests of the chain alone, tools) entries stay at the hub. */
    private readonly carry?: HubAuditCarry,
  ) {
    this.s = {
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
      insert: db.prepare(`INSERT INTO audit_log (seq, venue_id, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      move: db.prepare('UPDATE audit_head SET seq = ?, hash = ?, at = ? WHERE id = 1'),
    };
  }

  /**
   * Appends one entry and moves the head. Call it inside the transaction of the change it records: SQLite has one
   * writer, so the head read here is the newest and the next append takes the next seq.
   */
  append(change: HubAuditChange): void {
    if (!this.db.inTransaction) throw new Error('audit: append outside the transaction of the change it records');
    const head = this.s.head.get() as ChainLink | undefined;
    if (!head) throw new Error('audit: the chain head row is missing (migration 0009)');
    const before = stored(change.before);
    const after = stored(change.after);
    const at = change.at ?? new Date(this.clock()).toISOString();
    const row = {
      seq: head.seq + 1, venue_id: this.venueId, at, device_id: change.deviceId, actor: change.actor, role: change.role,
      action: change.action, entity: change.entity, entity_id: change.entityId ?? null,
      before_json: before === null ? null : JSON.stringify(before), after_json: after === null ? null : JSON.stringify(after),
    };
    const hash = createHash('sha256').update(canonicalEntry(head.hash, fieldsOf(row, before, after)), 'utf8').digest('hex');
    this.s.insert.run(row.seq, row.venue_id, row.at, row.device_id, row.actor, row.role, row.action, row.entity, row.entity_id, row.before_json, row.after_json, head.hash, hash);
    this.s.move.run(row.seq, hash, at);
    if (this.carry) this.queueForCloud(this.carry, row, before, after, head.hash, hash);
  }

  /** The entry as an audit.entry event in the hub's outbox, in the transaction of the change (so both or neither). */
  private queueForCloud(carry: HubAuditCarry, row: Omit<AuditRow, 'prev_hash' | 'hash'>, before: unknown, after: unknown, prevHash: string, hash: string): void {
    const payload: AuditEntryPayload = {
      seq: row.seq, at: row.at, device_id: row.device_id, actor: row.actor, role: row.role, action: row.action, entity: row.entity,
      entity_id: row.entity_id, before, after, prev_hash: prevHash, hash,
    };
    // Built from fields the chain already holds: not validated again on the check-in's path (the cloud checks it).
    carry.outbox.appendValidated({
      event_id: auditEntryEventId(this.venueId, row.seq, row.at), type: 'audit.entry', occurred_at: row.at,
      venue_id: this.venueId, device_id: carry.deviceId, payload,
    } as SeatPilotEvent);
  }

  /** The entry a door's event makes, for the types staff or a door decide; none for the rest (heartbeats, say). */
  appendEvent(event: { event_id: string; type: string; device_id: string; occurred_at: string; payload: unknown }): void {
    const change = eventChange(event);
    if (change) this.append(change);
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** What a door's event records: the device as actor, its staff role when the event names one, the guest as entity. */
export function eventChange(event: { event_id: string; type: string; device_id: string; occurred_at: string; payload: unknown }): HubAuditChange | null {
  const p = (event.payload ?? {}) as Record<string, unknown>;
  const base = { deviceId: event.device_id, actor: event.device_id, role: text(p.by_role) ?? 'device', entity: 'guest', entityId: text(p.guest_id) };
  const after = (fields: string[]) => Object.fromEntries([['event_id', event.event_id], ['occurred_at', event.occurred_at], ...fields.filter((f) => p[f] !== undefined).map((f) => [f, p[f]])]);
  switch (event.type) {
    case 'checkin.succeeded':
      return { ...base, action: event.type, after: after(['guest_id', 'door_id', 'direction', 'party_size', 'table_id']) };
    case 'checkin.rejected':
      // A refusal names no guest (the credential was not theirs, or not valid): it is the door's.
      return { ...base, entity: 'door', entityId: text(p.door_id), action: event.type, after: after(['door_id', 'reason', 'credential_kind']) };
    case 'checkin.reverted':
      return { ...base, action: event.type, after: after(['guest_id', 'door_id', 'reverted_event_id', 'reason']) };
    case 'guest.added':
      return { ...base, action: event.type, after: after(['guest_id', 'name', 'party_size', 'table_id', 'door_id']) };
    case 'seat.changed':
      return { ...base, action: event.type, before: { table_id: p.from_table_id ?? null }, after: { ...after(['guest_id', 'source']), table_id: p.to_table_id ?? null } };
    case 'staff.pin_failed':
      // A wrong PIN at a door's staff unlock: nobody signed in, so the door is the entity and the kiosk the actor.
      return { ...base, entity: 'door', entityId: text(p.door_id), role: 'device', action: event.type, after: after(['door_id', 'failures', 'locked']) };
    default:
      return null;
  }
}

export interface HubAuditState {
  entries: number;
  state: 'intact' | 'broken';
  broken: { seq: number | null; at: string | null; action: string | null; reason: ChainBreakReason } | null;
}

const PAGE = 1000;

/** Reads the chain in seq order, page by page, through core's verifyChain; then that it ends at the head. */
export async function verifyHubAudit(db: SqliteDatabase): Promise<HubAuditState> {
  const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as ChainLink | undefined;
  const page = db.prepare(`SELECT seq, venue_id, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash
                             FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
  let link: ChainLink = { seq: 0, hash: GENESIS_HASH };
  let last: ChainedEntry | null = null;
  let entries = 0;
  const out = (b: HubAuditState['broken']): HubAuditState => ({ entries, state: b ? 'broken' : 'intact', broken: b });
  for (;;) {
    const rows = page.all(last ? last.seq : 0, PAGE) as AuditRow[];
    const chained: ChainedEntry[] = rows.map((r) => ({
      ...fieldsOf(r, r.before_json === null ? null : JSON.parse(r.before_json), r.after_json === null ? null : JSON.parse(r.after_json)),
      id: r.seq, prev_hash: r.prev_hash, hash: r.hash,
    }));
    const result = await verifyChain(chained, link);
    entries += result.count;
    if (!result.ok) {
      // A removed entry is gone: name its place (the first seq missing); an altered or moved one by its own fields.
      if (result.reason === 'removed') return out({ seq: link.seq + result.count + 1, at: null, action: null, reason: 'removed' });
      return out({ seq: result.entry.seq, at: result.entry.at, action: result.entry.action, reason: result.reason });
    }
    link = result.head;
    last = chained.at(-1) ?? last;
    if (rows.length < PAGE) break;
  }
  // The newest entries removed (the chain stops short of its head), or the newest replaced whole.
  const headSeq = head?.seq ?? 0;
  if (link.seq !== headSeq) return out({ seq: link.seq < headSeq ? link.seq + 1 : link.seq, at: null, action: null, reason: 'removed' });
  if (head && link.hash !== head.hash) return out({ seq: last?.seq ?? null, at: last?.at ?? null, action: last?.action ?? null, reason: 'altered' });
  return out(null);
}
