// The edge agent's protocol store on SQLite: the same IngestStore/SyncStore interfaces the cloud implements on
// Postgres, so the `/v1/*` route code exists once. Accepted kiosk events go to the agent's outbox (relayed to the
// cloud, idempotent on event_id) and check-ins also to the venue's truth and the kiosks' feed.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { deadLetterJson } from '../core/contract/validate';
import { LIMITS, type RelayedEvent, type SeatPilotEvent, type SyncChange, type SyncChangeV2, type SyncFeature, type SyncGuest, type SyncResponse, type SyncResponseV2, type SyncTable } from '../core/contract/contract';
import { hlcWins } from '../core/desk/hlc';
import { SqliteOutbox } from '../venue-store/outbox';
import { SyncApplier } from '../venue-store/sync-apply';
import type { Caller, KeyRecord, KeyStatus, RejectedEvent, RelayingStore, StoreBatchResult, SyncStore } from '../protocol/store';
import { ALL_SYNC_ENTITIES, type SyncEntity } from '../protocol/sync-scope';
import { HubAudit } from './audit-log';
import { isSealed, reviewStoredSecrets, SecretKeyError, type SecretBox } from '../node-kit/secret-box';

export const CLOUD_FEED = 'cloud';

export interface IssuedAgentKey {
  key_id: string;
  secret: string;
  device_id: string;
  kind: 'kiosk' | 'gateway';
}

const CURSOR_PREFIX = 'f';

export class AgentStore implements RelayingStore, SyncStore {
  /** The hub is a relay: it queues events of types it does not know for the cloud, which checks them. */
  readonly relaysUnknownTypes = true as const;
  readonly outbox: SqliteOutbox;
  readonly applier: SyncApplier;
  readonly audit: HubAudit;
  private readonly s: Record<string, Statement>;
  /** Called with each check-in event newly received (metrics). */
  onNewEvent?: (event: SeatPilotEvent) => void;

  constructor(
    readonly db: SqliteDatabase,
    private readonly venueId: string,
    private readonly clock: () => number = Date.now,
    /** Seals the doors' secrets at rest; without it they are written as they are and the agent seals them at its next start. */
    private readonly secrets?: SecretBox,
  ) {
    this.outbox = new SqliteOutbox(db, clock);
    this.applier = new SyncApplier(db);
    // Its entries go up to the cloud from audit_log itself, at push time (edge-agent/hub-outbox.ts, the runtime's push).
    this.audit = new HubAudit(db, venueId, clock);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      key: p('SELECT key_id, device_id, kind, secret, status, expires_ms FROM device_keys WHERE key_id = ?'),
      nonce: p(`INSERT INTO nonces (key_id, nonce, expires_ms) VALUES (?, ?, ?)
                ON CONFLICT (key_id, nonce) DO UPDATE SET expires_ms = excluded.expires_ms WHERE nonces.expires_ms <= ?`),
      sweep: p('DELETE FROM nonces WHERE expires_ms < ?'),
      dlq: p(`INSERT INTO events_dlq (key_id, device_id, batch_id, event_index, event_id, reason, detail, raw, received_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      checkin: p(`INSERT INTO checkins (event_id, source, outcome, reason, guest_id, occasion_id, device_id, door_id, direction,
                    credential_kind, credential_value, party_size, offline, occurred_at, occurred_ms, table_id)
                  VALUES (?, 'remote', 'admitted', NULL, ?, NULL, ?, ?, ?, NULL, NULL, ?, NULL, ?, ?, ?)
                  ON CONFLICT (event_id) WHERE source = 'remote' DO NOTHING`),
      feed: p('INSERT INTO feed (kind, change_json) VALUES (?, ?)'),
      feedAfter: p('SELECT seq, kind, change_json FROM feed WHERE seq > ? ORDER BY seq LIMIT ?'),
      // A client that did not name `checkin_reverts` gets exactly the v1 feed: an older kiosk validates pages strictly
      // and would fail every page on a kind it does not know. It then keeps refusing a reverted guest as
      // already_checked_in until staff check them in by hand at that door: accepted, and written down (README).
      feedAfterV1: p(`SELECT seq, kind, change_json FROM feed WHERE seq > ? AND kind <> 'checkin_reverted' ORDER BY seq LIMIT ?`),
      revert: p(`UPDATE checkins SET reverted_by = ? WHERE event_id = ? AND guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL`),
      feedMax: p('SELECT coalesce(max(seq), 0) FROM feed').pluck(),
      // Door versions (venue migration 0011): what the doors last got for a guest, and the row a fed change is built from.
      guestVersions: p('SELECT version, door_version FROM guests WHERE id = ?'),
      guestTombVersion: p("SELECT version FROM tombstones WHERE entity = 'guest' AND id = ?").pluck(),
      setDoorVersion: p('UPDATE guests SET door_version = ? WHERE id = ?'),
      guestRow: p('SELECT id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, door_version, version FROM guests WHERE id = ?'),
      guestCredentials: p('SELECT kind, value FROM credentials WHERE guest_id = ? ORDER BY kind, value'),
      pendingOf: p('SELECT field, value, hlc FROM desk_pending WHERE guest_id = ?'),
      dropPending: p('DELETE FROM desk_pending WHERE guest_id = ? AND field = ?'),
      keepPendingTable: p('UPDATE guests SET table_id = ?, table_hlc = ? WHERE id = ?'),
      keepPendingParty: p('UPDATE guests SET party_size = ?, party_hlc = ? WHERE id = ?'),
      addKey: p(`INSERT INTO device_keys (key_id, device_id, kind, secret, created_at) VALUES (?, ?, ?, ?, ?)`),
      revokeKey: p(`UPDATE device_keys SET status = 'revoked', revoked_at = ? WHERE key_id = ?`),
    };
  }

  // --- keys of the devices paired to this hub ------------------------------------------------------------------

  issueKey(deviceId: string, kind: 'kiosk' | 'gateway'): IssuedAgentKey {
    const key_id = `akey_${randomBytes(10).toString('hex')}`;
    const secret = `sps_${randomBytes(32).toString('base64url')}`;
    this.s.addKey!.run(key_id, deviceId, kind, this.secrets ? this.secrets.seal(key_id, secret) : secret, new Date(this.clock()).toISOString());
    return { key_id, secret, device_id: deviceId, kind };
  }

  /**
   * At start: every key still in use must open with this agent's key file (else SecretKeyError, naming it); secrets
   * stored before sealing are sealed.
   */
  sealStoredSecrets(): { sealed: number } {
    if (!this.secrets) return { sealed: 0 };
    const rows = this.db.prepare('SELECT key_id, secret, status FROM device_keys').all() as { key_id: string; secret: string; status: KeyStatus }[];
    const plan = reviewStoredSecrets(rows.map((r) => ({ key_id: r.key_id, secret: r.secret, usable: r.status !== 'revoked' })), this.secrets, 'seatpilot agent key revoke-unreadable --config FILE');
    const update = this.db.prepare('UPDATE device_keys SET secret = ? WHERE key_id = ? AND secret = ?');
    let sealed = 0;
    this.db.transaction(() => {
      for (const p of plan) sealed += update.run(p.to, p.keyId, p.from).changes;
    })();
    return { sealed };
  }

  /** After a lost key file: revokes the keys still in use whose secrets do not open, so the agent starts again. */
  revokeUnreadableKeys(): string[] {
    const box = this.secrets;
    if (!box) throw new SecretKeyError('no secret key file given');
    const rows = this.db.prepare(`SELECT key_id, secret FROM device_keys WHERE status <> 'revoked'`).all() as { key_id: string; secret: string }[];
    const unreadable = rows.filter((r) => {
      try {
        box.open(r.key_id, r.secret);
        return false;
      } catch {
        return true;
      }
    });
    for (const r of unreadable) this.revokeKey(r.key_id);
    return unreadable.map((r) => r.key_id);
  }

  revokeKey(keyId: string): boolean {
    return this.s.revokeKey!.run(new Date(this.clock()).toISOString(), keyId).changes === 1;
  }

  async findKey(keyId: string): Promise<KeyRecord | null> {
    const r = this.s.key!.get(keyId) as { key_id: string; device_id: string; kind: 'kiosk' | 'gateway'; secret: string; status: KeyStatus; expires_ms: number | null } | undefined;
    if (!r) return null;
    // A revoked key is refused on its status alone: its secret is never opened.
    const secret = r.status === 'revoked' ? '' : isSealed(r.secret) ? this.openSealed(r.key_id, r.secret) : r.secret;
    return { keyId: r.key_id, secret, status: r.status, expiresAt: r.expires_ms === null ? null : new Date(r.expires_ms), tenantId: 'venue', venueId: this.venueId, deviceId: r.device_id, deviceKind: r.kind };
  }

  private openSealed(keyId: string, stored: string): string {
    if (!this.secrets) throw new SecretKeyError(`device key ${keyId} is sealed and this agent was given no secret key file`);
    return this.secrets.open(keyId, stored);
  }

  async useNonce(keyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const exp = expiresAt.getTime();
    return this.s.nonce!.run(keyId, nonce, exp, exp - LIMITS.nonceTtlSeconds * 1000).changes === 1;
  }

  sweepNonces(nowMs: number): number {
    return this.s.sweep!.run(nowMs).changes;
  }

  /** Only the agent relays; a kiosk never sends for another device. */
  async devicesInVenue(): Promise<Set<string>> {
    return new Set();
  }

  // --- ingest from the doors -------------------------------------------------------------------------------------

  async storeBatch(caller: Caller, batchId: string, accepted: SeatPilotEvent[], rejected: RejectedEvent[], relayed: readonly RelayedEvent[] = []): Promise<StoreBatchResult> {
    const nowMs = this.clock();
    const fresh: SeatPilotEvent[] = [];
    const forwarded: string[] = [];
    this.db.transaction(() => {
      for (const event of accepted) {
        // Validated one by one by classifyBatch (protocol/ingest.ts) before the store sees them.
        if (!this.outbox.appendValidated(event, nowMs)) continue;
        fresh.push(event);
        this.applyVenueEvent(event);
      }
      // The batch's entries in its order, the chain's head moved once (venue migration 0012).
      this.audit.appendEvents(fresh);
      // Types this build does not know: only queued for the cloud, as they came (their meaning is the cloud's to read).
      for (const event of relayed) if (this.outbox.appendValidated(event, nowMs)) forwarded.push(event.event_id);
      const at = new Date(nowMs).toISOString();
      for (const r of rejected) {
        this.s.dlq!.run(caller.keyId, caller.deviceId, batchId, r.index, r.eventId, r.reason, r.detail, deadLetterJson(r.raw ?? null), at);
      }
    })();
    for (const e of fresh) this.onNewEvent?.(e);
    return { inserted: [...fresh.map((e) => e.event_id), ...forwarded] };
  }

  /**
   * What a stored check-in or revert changes at the venue, inside the caller's transaction: the ingest of a door's
   * batch and the hub's own desk (edge-agent/desk/venue-desk.ts) apply them through this one path.
   * A check-in becomes the venue's (tablets, seat counts) and goes to the doors' feed. A revert marks the guest's own
   * check-in it names (then the doors hear of it); one naming an unknown check-in, another guest's, or one already
   * reverted applies nothing here (it is still stored, audited and relayed by the caller). Returns whether it applied.
   */
  applyVenueEvent(event: SeatPilotEvent): boolean {
    if (event.type === 'checkin.succeeded') {
      const p = event.payload;
      this.s.checkin!.run(event.event_id, p.guest_id, event.device_id, p.door_id, p.direction, p.party_size, event.occurred_at, Date.parse(event.occurred_at), p.table_id);
      const checkin = { event_id: event.event_id, guest_id: p.guest_id, door_id: p.door_id, device_id: event.device_id, direction: p.direction, party_size: p.party_size, occurred_at: event.occurred_at };
      this.s.feed!.run('checkin', JSON.stringify({ kind: 'checkin', checkin }));
      return true;
    }
    if (event.type === 'checkin.reverted') {
      const p = event.payload;
      if (this.s.revert!.run(event.event_id, p.reverted_event_id, p.guest_id).changes === 0) return false;
      const reverted = { event_id: p.reverted_event_id, guest_id: p.guest_id, reverted_event_id: event.event_id, door_id: p.door_id, occurred_at: event.occurred_at };
      this.s.feed!.run('checkin_reverted', JSON.stringify({ kind: 'checkin_reverted', reverted }));
      return true;
    }
    return false;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  // --- the guest list from the cloud, and the feed the kiosks sync from -----------------------------------------

  private readonly scopedFeed = new Map<string, Statement>();

  private feedStatement(entities: readonly SyncEntity[], reverts: boolean): Statement {
    if (ALL_SYNC_ENTITIES.every((e) => entities.includes(e))) return reverts ? this.s.feedAfter! : this.s.feedAfterV1!;
    const key = `${[...entities].sort().join(',')}${reverts ? '+reverts' : ''}`;
    let st = this.scopedFeed.get(key);
    if (!st) this.scopedFeed.set(key, (st = this.db.prepare(scopedFeedSql(entities.filter((e) => ALL_SYNC_ENTITIES.includes(e)), reverts))));
    return st;
  }

  /**
   * Applies a cloud page and appends its changes to the kiosks' feed, in one transaction.
   *
   * Guests reach the doors in one per-guest order with the desk's own changes: each guest change and guest tombstone
   * the hub feeds gets the door version max(door_version + 1, the cloud's version), so a door (which applies a guest
   * change only when newer) skips none. A guest with desk_pending rows is merged per field first (the rule in
   * venue migration 0011): the cloud took our decision or made a later one → the pending row ends, the cloud's value
   * stays; else the hub's value is kept over the cloud's older one. The doors get the merged values, and never the
   * guest_desk fields (HLCs, tags, meal, notes; table tags): doors validate pages strictly.
   */
  applyCloudPage(page: SyncResponse | SyncResponseV2): void {
    const changes: readonly SyncChangeV2[] = page.changes;
    this.db.transaction(() => {
      const applied = this.guestChangesApplied(changes);
      this.applier.apply(page, { feed: CLOUD_FEED, nowMs: this.clock() });
      // Merged once per guest, against the last change of theirs that applied (the row holds its values now).
      const lastOf = new Map<string, number>();
      changes.forEach((c, i) => {
        if (c.kind === 'guest' && applied.has(i)) lastOf.set(c.guest.id, i);
      });
      for (const i of lastOf.values()) this.mergePending((changes[i] as Extract<SyncChange, { kind: 'guest' }>).guest);
      changes.forEach((c, i) => {
        switch (c.kind) {
          // Check-ins and their reverts reach the doors from this hub's own ingest, never from the cloud's page.
          case 'checkin':
          case 'checkin_reverted':
            return;
          case 'guest': {
            if (!applied.has(i)) return;
            const guest = lastOf.get(c.guest.id) === i ? this.withHubSeat(c.guest) : doorGuest(c.guest);
            this.feedGuestChange(guest, this.nextDoorVersion(c.guest.id, c.version));
            return;
          }
          case 'tombstone': {
            if (c.entity !== 'guest') break;
            if (!applied.has(i)) return;
            const version = this.nextDoorVersion(c.id, c.version);
            this.s.setDoorVersion!.run(version, c.id);
            this.s.feed!.run(c.kind, JSON.stringify({ ...c, version }));
            return;
          }
          case 'table':
            this.s.feed!.run(c.kind, JSON.stringify({ ...c, table: doorTable(c.table) }));
            return;
          default:
            break;
        }
        this.s.feed!.run(c.kind, JSON.stringify(c));
      });
    })();
  }

  /** The page's guest changes and guest tombstones the applier will apply (newer than the stored version), by index. */
  private guestChangesApplied(changes: readonly SyncChangeV2[]): Set<number> {
    const current = new Map<string, number>();
    const stored = (id: string) => {
      let v = current.get(id);
      if (v === undefined) {
        const row = this.s.guestVersions!.get(id) as { version: number } | undefined;
        v = Math.max(row?.version ?? 0, (this.s.guestTombVersion!.get(id) as number | undefined) ?? 0);
      }
      return v;
    };
    const out = new Set<number>();
    changes.forEach((c, i) => {
      const id = c.kind === 'guest' ? c.guest.id : c.kind === 'tombstone' && c.entity === 'guest' ? c.id : null;
      if (id === null) return;
      const v = stored(id);
      if (c.version > v) {
        out.add(i);
        current.set(id, c.version);
      } else current.set(id, v);
    });
    return out;
  }

  /**
   * Per field with a pending desk decision: the cloud's value ends it when it is ours or later, else ours stays.
   * A guest change without the field's HLC at all (undefined, not null) comes from a cloud that does not know the
   * guest_desk feature: it can never answer our decision, so it ends the pending row too (the cloud is then the only
   * authority); null is a cloud that knows the feature and never stamped the field, older than any decision.
   */
  private mergePending(g: SyncGuest): void {
    const rows = this.s.pendingOf!.all(g.id) as { field: 'table' | 'party'; value: string | null; hlc: string }[];
    for (const p of rows) {
      const sent = p.field === 'table' ? g.table_hlc : g.party_hlc;
      const cloudHlc = sent ?? null;
      if (sent === undefined || cloudHlc === p.hlc || hlcWins(cloudHlc, p.hlc)) this.s.dropPending!.run(g.id, p.field);
      else if (p.field === 'table') this.s.keepPendingTable!.run(p.value, p.hlc, g.id);
      else this.s.keepPendingParty!.run(Number(p.value), p.hlc, g.id);
    }
  }

  /** The cloud's guest as the doors get it, with the table and party the hub holds after the merge. */
  private withHubSeat(g: SyncGuest): SyncGuest {
    const row = this.s.guestRow!.get(g.id) as { table_id: string | null; party_size: number } | undefined;
    const out = doorGuest(g);
    return row ? { ...out, table_id: row.table_id, party_size: row.party_size } : out;
  }

  /** max(door_version + 1, the cloud's version): the version of the guest's next change fed to the doors. */
  private nextDoorVersion(guestId: string, cloudVersion: number): number {
    const row = this.s.guestVersions!.get(guestId) as { version: number; door_version: number | null } | undefined;
    return Math.max((row?.door_version ?? 0) + 1, cloudVersion);
  }

  private feedGuestChange(guest: SyncGuest, version: number): void {
    this.s.setDoorVersion!.run(version, guest.id);
    const change: SyncChange = { kind: 'guest', version, guest };
    this.s.feed!.run('guest', JSON.stringify(change));
  }

  /**
   * The desk's own change of a guest (a walk-in, a move, a +1), for the doors, inside the caller's transaction: a v1
   * `guest` change built from the hub's row and the guest's credentials, with the door version
   * max(door_version, version) + 1. Returns that version, or null when the guest is unknown here.
   */
  feedOwnGuestChange(guestId: string): number | null {
    const row = this.s.guestRow!.get(guestId) as
      | { id: string; occasion_id: string; name: string; party_size: number; table_id: string | null; status: SyncGuest['status']; valid_from: string | null; valid_to: string | null; door_version: number | null; version: number }
      | undefined;
    if (!row) return null;
    const credentials = this.s.guestCredentials!.all(guestId) as SyncGuest['credentials'];
    const version = Math.max(row.door_version ?? 0, row.version) + 1;
    this.feedGuestChange(
      { id: row.id, occasion_id: row.occasion_id, name: row.name, party_size: row.party_size, table_id: row.table_id, status: row.status, valid_from: row.valid_from, valid_to: row.valid_to, credentials },
      version,
    );
    return version;
  }

  cloudCursor(): string | undefined {
    return this.applier.feedState(CLOUD_FEED).cursor ?? undefined;
  }

  guestListVersion(): number {
    return this.applier.feedState(CLOUD_FEED).version;
  }

  async changesSince(
    _caller: Caller,
    cursor: string | undefined,
    limit: number,
    entities: readonly SyncEntity[] = ALL_SYNC_ENTITIES,
    features: ReadonlySet<SyncFeature> = new Set(),
  ): Promise<SyncResponseV2> {
    const after = parseCursor(cursor);
    const rows = this.feedStatement(entities, features.has('checkin_reverts')).all(after, limit + 1) as { seq: number; kind: string; change_json: string }[];
    const page = rows.slice(0, limit);
    // The venue's own changes (check-ins, reverts) take the feed's sequence as their version.
    const changes = page.map((r) => {
      const c = JSON.parse(r.change_json) as SyncChangeV2;
      return r.kind === 'checkin' || r.kind === 'checkin_reverted' ? ({ ...c, version: r.seq } as SyncChangeV2) : c;
    });
    const last = page.length ? (page[page.length - 1] as { seq: number }).seq : after;
    return { cursor: `${CURSOR_PREFIX}${last}`, has_more: rows.length > limit, changes };
  }
}

/** A guest as the doors get it: without the guest_desk fields (a door validates pages strictly). */
function doorGuest(g: SyncGuest): SyncGuest {
  const { table_hlc: _t, party_hlc: _p, tags: _tags, meal: _m, notes: _n, ...rest } = g;
  return rest;
}

/** A table as the doors get it: without its tags (guest_desk). */
function doorTable(t: SyncTable): SyncTable {
  const { tags: _tags, ...rest } = t;
  return rest;
}

/** The feed's rows about some entities only: a change's `kind` names its entity, a tombstone's JSON does. */
const scopedFeedSql = (entities: readonly SyncEntity[], reverts: boolean) => {
  const list = entities.map((e) => `'${e}'`).join(', ');
  // A revert is about check-ins, and goes only to a client that named `checkin_reverts`.
  const kinds = reverts && entities.includes('checkin') ? `${list}, 'checkin_reverted'` : list;
  return `SELECT seq, kind, change_json FROM feed
           WHERE seq > ? AND (kind IN (${kinds}) OR (kind = 'tombstone' AND json_extract(change_json, '$.entity') IN (${list})))
           ORDER BY seq LIMIT ?`;
};

function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = /^f(\d{1,15})$/.exec(cursor);
  if (!m) return 0; // An unknown cursor (say, from before a reset) starts the kiosk over: applying is idempotent.
  return Number(m[1]);
}
