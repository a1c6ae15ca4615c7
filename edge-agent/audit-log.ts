// The hub's audit (SQLite 0009): an append-only, hash-chained entry per change staff or devices make at the venue,
// written inside the transaction of that change; and the check behind `seatpilot agent audit verify`.
//
// The chain is core's (core/audit/chain.ts), one per venue. A row maps onto its hashed fields (core/audit/hub-entry.ts) as:
//   tenant_id = venue_id = the hub's venue, channel = role (the capacity the actor acted in: 'device' for a door's own
//   decision, 'steward' / 'supervisor' for staff, 'cli' for the operator), actor_id = device_id, actor = actor,
//   entity / entity_id / action / at / seq / prev_hash as stored, before / after the stored JSON (null when absent).
// The hash is taken with node:crypto here because better-sqlite3's transactions are synchronous; the bytes hashed are
// canonicalEntry's, so core's verifyChain (and the cloud, once entries are carried up) checks them unchanged.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { verifyChain, GENESIS_HASH, type ChainBreakReason, type ChainedEntry, type ChainLink } from '../core/audit/chain';
import { hubChainedEntry, type HubAuditRow } from '../core/audit/hub-entry';
import type { AuditEntryPayload } from '../core/contract/contract';
import { CanonicalJson, canonicalEntryText, canonicalValue, storedValue, venueTailText } from './audit-canonical';
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

/** A stored entry (core/audit/hub-entry.ts: the row, and the chain fields it maps onto). */
export type AuditRow = HubAuditRow;

/**
 * The event id of the audit.entry carrying entry `seq` of `venueId`'s chain: a UUIDv7 whose time is the entry's own
 * (so the cloud's id indexes still grow at their right edge) and whose counter and random bits are a SHA-256 of
 * (venue, seq). The same entry always travels under the same id, so an entry carried twice is a duplicate at the cloud.
 */
export function auditEntryEventId(venueId: string, seq: number, at: string): string {
  const digest = createHash('sha256').update(`seatpilot/audit.entry\n${venueId}\n${seq}`, 'utf8').digest();
  const ms = Date.parse(at);
  const counter = ((digest[0] as number) << 4 | (digest[1] as number) >>> 4) & 0xfff;
  return uuidv7(Number.isFinite(ms) && ms >= 0 ? ms : 0, counter, (bytes) => bytes.set(digest.subarray(2, 2 + bytes.length)));
}

/** What the audit.entry event carrying a stored entry says (edge-agent/hub-outbox.ts builds it at push time). */
export function auditEntryPayload(r: AuditRow): AuditEntryPayload {
  return {
    seq: r.seq, at: r.at, device_id: r.device_id, actor: r.actor, role: r.role, action: r.action, entity: r.entity, entity_id: r.entity_id,
    before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown), after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
    prev_hash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Appends entries to the chain. It writes the hub's SQLite only: the entries go up to the cloud from audit_log
 * itself, at push time (edge-agent/hub-outbox.ts), so an append costs the check-in no second copy.
 */
export class HubAudit {
  private readonly s: { head: Statement; insert: Statement; move: Statement };
  /** The part of every entry's hashed text after `seq`: the venue, as tenant and venue. */
  private readonly venueTail: string;
  /** The venue's id as its column holds it. */
  private readonly venueText: string;
  /** appendMany's writes in a savepoint of the caller's transaction: one that fails midway leaves no row past the head. */
  private readonly appendInSavepoint: (changes: readonly HubAuditChange[]) => void;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly venueId: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.s = {
      // Raw: [seq, hash], no row object per append.
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').raw(),
      insert: db.prepare(`INSERT INTO audit_log (seq, venue_id, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      move: db.prepare('UPDATE audit_head SET seq = ?, hash = ?, at = ? WHERE id = 1'),
    };
    this.venueText = stored(venueId);
    this.venueTail = venueTailText(this.venueText, this.venueText);
    this.appendInSavepoint = db.transaction((changes: readonly HubAuditChange[]) => this.write(changes));
  }

  /**
   * Appends one entry and moves the head. Call it inside the transaction of the change it records: SQLite has one
   * writer, so the head read here is the newest and the next append takes the next seq.
   */
  append(change: HubAuditChange): void {
    this.appendMany([change]);
  }

  /**
   * Appends entries in their order and moves the head once, onto the last (venue migration 0012 lets the head move
   * by a batch). Inside the transaction of the changes they record, like append.
   * The head is read each time, not cached: the tablets' store and arrivals append to the same chain, and a rolled
   * back transaction leaves it where it was.
   */
  appendMany(changes: readonly HubAuditChange[]): void {
    if (changes.length === 0) return;
    if (!this.db.inTransaction) throw new Error('audit: append outside the transaction of the change it records');
    this.appendInSavepoint(changes);
  }

  private write(changes: readonly HubAuditChange[]): void {
    const head = this.s.head.get() as [number, string] | undefined;
    if (!head) throw new Error('audit: the chain head row is missing (migration 0009)');
    let [seq, prevHash] = head;
    // One clock reading for the changes that bring no time of their own: they are recorded together.
    let now: string | undefined;
    let at = '';
    for (const change of changes) {
      // Each value serialised once: its canonical text is what is stored (audit-canonical.ts).
      const before = storedValue(change.before);
      const after = storedValue(change.after);
      at = change.at === undefined ? (now ??= new Date(this.clock()).toISOString()) : stored(change.at);
      seq += 1;
      // The text columns hashed as SQLite will hold them (a lone surrogate in a door's id is stored as U+FFFD).
      const deviceId = change.deviceId == null ? null : stored(change.deviceId);
      const entityId = change.entityId == null ? null : stored(change.entityId);
      const actor = stored(change.actor);
      const role = stored(change.role);
      const action = stored(change.action);
      const entity = stored(change.entity);
      const text = canonicalEntryText(prevHash, { seq, at, channel: role, actor_id: deviceId, actor, action, entity, entity_id: entityId }, before.canonical, after.canonical, this.venueTail);
      const hash = sha256Hex(text);
      this.s.insert.run(seq, this.venueText, at, deviceId, actor, role, action, entity, entityId, before.json, after.json, prevHash, hash);
      prevHash = hash;
    }
    this.s.move.run(seq, prevHash, at);
  }

  /** The entries of a door's events, for the types staff or a door decide (eventChange); none for the rest (heartbeats, say). */
  appendEvents(events: readonly AuditEvent[]): void {
    const changes: HubAuditChange[] = [];
    for (const event of events) {
      const change = eventChange(event);
      if (change) changes.push(change);
    }
    this.appendMany(changes);
  }
}

/**
 * A text column's value as SQLite stores it: better-sqlite3 writes strings as UTF-8, so a lone surrogate becomes
 * U+FFFD. JSON columns need none of this: JSON.stringify escapes lone surrogates.
 */
const stored = (text: string): string => {
  // ES2024's String methods (Node 20 has them; the project's lib is ES2023).
  const s = text as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return s.isWellFormed() ? text : s.toWellFormed();
};

/** node:crypto's one-shot hash where this Node has it (20.12+): no Hash object per entry. */
const sha256Hex: (text: string) => string =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

type AuditEvent = { event_id: string; type: string; device_id: string; occurred_at: string; payload: unknown };

/**
 * What a door's event records as `after`, written straight as canonical text (no object walked twice): the event's
 * id and time and those of `fields` the payload has, keys in sorted order; `extra` values stand in for the payload's.
 */
function afterOf(event: AuditEvent, p: Record<string, unknown>, keys: readonly string[], extra?: Record<string, unknown>): CanonicalJson {
  let out = '';
  for (const k of keys) {
    const v = k === 'event_id' ? event.event_id : k === 'occurred_at' ? event.occurred_at : extra !== undefined && k in extra ? extra[k] : p[k];
    if (v === undefined) continue;
    // The keys are the constants below: plain ASCII names, written without escapes as JSON.stringify would.
    out += `${out === '' ? '' : ','}"${k}":${canonicalValue(v)}`;
  }
  return new CanonicalJson(`{${out}}`);
}

/** The event's id and time and the payload's `fields`, sorted as the canonical text has them. */
const keysOf = (...fields: string[]): readonly string[] => ['event_id', 'occurred_at', ...fields].sort();

const CHECKIN_FIELDS = keysOf('guest_id', 'door_id', 'direction', 'party_size', 'table_id');
const REJECTED_FIELDS = keysOf('door_id', 'reason', 'credential_kind');
const REVERTED_FIELDS = keysOf('guest_id', 'door_id', 'reverted_event_id', 'reason');
const ADDED_FIELDS = keysOf('guest_id', 'name', 'party_size', 'table_id', 'door_id');
const SEAT_FIELDS = keysOf('guest_id', 'source', 'table_id');
const PIN_FIELDS = keysOf('door_id', 'failures', 'locked');

/** What a door's event records: the device as actor, its staff role when the event names one, the guest as entity. */
export function eventChange(event: AuditEvent): HubAuditChange | null {
  const p = (event.payload ?? {}) as Record<string, unknown>;
  const device = event.device_id;
  const role = typeof p.by_role === 'string' ? p.by_role : 'device';
  const guest = typeof p.guest_id === 'string' ? p.guest_id : null;
  const door = typeof p.door_id === 'string' ? p.door_id : null;
  switch (event.type) {
    case 'checkin.succeeded':
      return { deviceId: device, actor: device, role, entity: 'guest', entityId: guest, action: event.type, after: afterOf(event, p, CHECKIN_FIELDS) };
    case 'checkin.rejected':
      // A refusal names no guest (the credential was not theirs, or not valid): it is the door's.
      return { deviceId: device, actor: device, role, entity: 'door', entityId: door, action: event.type, after: afterOf(event, p, REJECTED_FIELDS) };
    case 'checkin.reverted':
      return { deviceId: device, actor: device, role, entity: 'guest', entityId: guest, action: event.type, after: afterOf(event, p, REVERTED_FIELDS) };
    case 'guest.added':
      return { deviceId: device, actor: device, role, entity: 'guest', entityId: guest, action: event.type, after: afterOf(event, p, ADDED_FIELDS) };
    case 'seat.changed':
      // The table moved to, as table_id (null when the payload has none), beside the table moved from as before.
      return { deviceId: device, actor: device, role, entity: 'guest', entityId: guest, action: event.type, before: { table_id: p.from_table_id ?? null },
        after: afterOf(event, p, SEAT_FIELDS, { table_id: p.to_table_id ?? null }) };
    case 'staff.pin_failed':
      // A wrong PIN at a door's staff unlock: nobody signed in, so the door is the entity and the kiosk the actor.
      return { deviceId: device, actor: device, role: 'device', entity: 'door', entityId: door, action: event.type, after: afterOf(event, p, PIN_FIELDS) };
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
    const chained: ChainedEntry[] = rows.map((r) =>
      hubChainedEntry(r, r.before_json === null ? null : JSON.parse(r.before_json), r.after_json === null ? null : JSON.parse(r.after_json)));
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
