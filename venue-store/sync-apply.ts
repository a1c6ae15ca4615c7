// Applies a page of `GET /v1/sync` changes to the store: one transaction per page, idempotent by version.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SyncChangeV2, SyncGuest, SyncResponse, SyncResponseV2 } from '../core/contract/contract';
import { canonicalStoredCredential } from '../core/checkin/credential';
import { foldText, nameTokens } from '../core/checkin/search-text';
import { checkSyncResponseV2 } from '../core/contract/validate';

export class SyncPageError extends Error {
  override name = 'SyncPageError';
}

export interface ApplyProgress {
  /** Changes of this page looked at so far, out of `total`. */
  done: number;
  total: number;
  applied: number;
  skipped: number;
}

export interface ApplyResult {
  /** Changes that wrote something; the rest were not newer than what the store holds (or a check-in already known). */
  applied: number;
  skipped: number;
  cursor: string;
  has_more: boolean;
  /** The highest change version this store has applied from this feed (the heartbeat's guest_list_version). */
  version: number;
}

export interface ApplyOptions {
  /** Called every `progressEvery` changes and once at the end, inside the transaction (synchronously). */
  onProgress?: (p: ApplyProgress) => void;
  progressEvery?: number;
  /** The upstream feed this page came from (one row of sync_state each). */
  feed?: string;
  nowMs?: number;
}

export const DEFAULT_FEED = 'upstream';

function ms(rfc3339: string | null): number | null {
  return rfc3339 === null ? null : Date.parse(rfc3339);
}

export class SyncApplier {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      tombstoneVersion: p('SELECT version FROM tombstones WHERE entity = ? AND id = ?').pluck(),
      putTombstone: p('INSERT INTO tombstones (entity, id, version) VALUES (?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET version = max(version, excluded.version)'),
      dropTombstone: p('DELETE FROM tombstones WHERE entity = ? AND id = ?'),
      occasionVersion: p('SELECT version FROM occasions WHERE id = ?').pluck(),
      putOccasion: p(`INSERT INTO occasions (id, name, starts_at, ends_at, starts_ms, ends_ms, timezone, reentry_policy, version)
        VALUES (@id, @name, @starts_at, @ends_at, @starts_ms, @ends_ms, @timezone, @reentry_policy, @version)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
          starts_ms = excluded.starts_ms, ends_ms = excluded.ends_ms, timezone = excluded.timezone,
          reentry_policy = excluded.reentry_policy, version = excluded.version`),
      deleteOccasion: p('DELETE FROM occasions WHERE id = ?'),
      tableVersion: p('SELECT version FROM tables WHERE id = ?').pluck(),
      putTable: p(`INSERT INTO tables (id, label, capacity, shape, x, y, w, h, tags_json, version) VALUES (@id, @label, @capacity, @shape, @x, @y, @w, @h, @tags_json, @version)
        ON CONFLICT (id) DO UPDATE SET label = excluded.label, capacity = excluded.capacity, shape = excluded.shape,
          x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h, tags_json = excluded.tags_json, version = excluded.version`),
      deleteTable: p('DELETE FROM tables WHERE id = ?'),
      floorVersion: p('SELECT version FROM floor_plan WHERE id = 1').pluck(),
      putFloor: p(`INSERT INTO floor_plan (id, width, height, plan_json, version) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET width = excluded.width, height = excluded.height, plan_json = excluded.plan_json, version = excluded.version`),
      clearDoors: p('DELETE FROM doors'),
      putDoor: p('INSERT INTO doors (id, label, x, y) VALUES (?, ?, ?, ?)'),
      guestVersion: p('SELECT version FROM guests WHERE id = ?').pluck(),
      // The desk's fields (guest_desk sync feature, venue migration 0011) come only to the hub; a door's stay null.
      // A walk-in added here (origin 'venue') becomes the cloud's once the cloud's list brings it back.
      putGuest: p(`INSERT INTO guests (id, occasion_id, name, name_folded, party_size, table_id, status, valid_from, valid_to, valid_from_ms, valid_to_ms, version,
                     table_hlc, party_hlc, tags_json, meal, notes, origin)
        VALUES (@id, @occasion_id, @name, @name_folded, @party_size, @table_id, @status, @valid_from, @valid_to, @valid_from_ms, @valid_to_ms, @version,
                @table_hlc, @party_hlc, @tags_json, @meal, @notes, 'cloud')
        ON CONFLICT (id) DO UPDATE SET occasion_id = excluded.occasion_id, name = excluded.name, name_folded = excluded.name_folded,
          party_size = excluded.party_size, table_id = excluded.table_id, status = excluded.status, valid_from = excluded.valid_from,
          valid_to = excluded.valid_to, valid_from_ms = excluded.valid_from_ms, valid_to_ms = excluded.valid_to_ms, version = excluded.version,
          table_hlc = excluded.table_hlc, party_hlc = excluded.party_hlc, tags_json = excluded.tags_json, meal = excluded.meal,
          notes = excluded.notes, origin = 'cloud'`),
      revokeGuest: p("UPDATE guests SET status = 'revoked', version = ? WHERE id = ?"),
      clearCredentials: p('DELETE FROM credentials WHERE guest_id = ?'),
      // A credential moved to another guest: the newer change (applied later, in version order) wins.
      putCredential: p('INSERT INTO credentials (kind, value, guest_id) VALUES (?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET guest_id = excluded.guest_id'),
      clearTokens: p('DELETE FROM guest_name_tokens WHERE guest_id = ?'),
      putToken: p('INSERT OR IGNORE INTO guest_name_tokens (token, guest_id) VALUES (?, ?)'),
      guestOccasion: p('SELECT occasion_id FROM guests WHERE id = ?').pluck(),
      // Another door's check-in, stored once: a repeat of a remote row hits the unique index on remote event ids, and
      // the echo of one of this device's own check-ins (the agent's feed carries every door's) is found through the
      // guest's history index, where the local row sits under the same guest and millisecond.
      putCheckin: p(`INSERT INTO checkins (event_id, source, outcome, guest_id, occasion_id, device_id, door_id, direction, party_size, occurred_at, occurred_ms)
        SELECT @event_id, 'remote', 'admitted', @guest_id, @occasion_id, @device_id, @door_id, @direction, @party_size, @occurred_at, @occurred_ms
        WHERE NOT EXISTS (SELECT 1 FROM checkins WHERE guest_id = @guest_id AND outcome = 'admitted' AND occurred_ms = @occurred_ms AND event_id = @event_id)
        ON CONFLICT (event_id) WHERE source = 'remote' DO NOTHING`),
      // A check-in undone: only the guest's own check-in of that id, once (the first revert names it; a repeat, or the
      // echo of this door's own revert, changes nothing). A revert seen before its check-in marks nothing: the hub's
      // feed orders a check-in before its revert.
      revertCheckin: p(`UPDATE checkins SET reverted_by = ? WHERE event_id = ? AND guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL`),
      feedVersion: p('SELECT version FROM sync_state WHERE feed = ?').pluck(),
      putFeed: p(`INSERT INTO sync_state (feed, cursor, version, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor, version = max(version, excluded.version), updated_at = excluded.updated_at`),
      readFeed: p('SELECT cursor, version FROM sync_state WHERE feed = ?'),
    };
  }

  /** Where the feed stands: the cursor to ask from next (null before the first page) and the version applied. */
  feedState(feed: string = DEFAULT_FEED): { cursor: string | null; version: number } {
    return (this.s.readFeed!.get(feed) as { cursor: string | null; version: number } | undefined) ?? { cursor: null, version: 0 };
  }

  /**
   * Validates the page against the contract (v1, or v2 with `checkin_reverted`: a v1 page is a v2 page), then applies
   * all of it or nothing, and stores its cursor with it.
   */
  apply(raw: SyncResponse | SyncResponseV2 | unknown, opts: ApplyOptions = {}): ApplyResult {
    const check = checkSyncResponseV2(raw);
    if (!check.ok) throw new SyncPageError(`the sync page does not match the contract: ${check.detail}`);
    const page = check.page;
    const feed = opts.feed ?? DEFAULT_FEED;
    const every = Math.max(1, opts.progressEvery ?? 1000);
    const total = page.changes.length;
    return this.db.transaction((): ApplyResult => {
      let applied = 0;
      let maxVersion = (this.s.feedVersion!.get(feed) as number | undefined) ?? 0;
      page.changes.forEach((change, i) => {
        if (this.applyOne(change)) applied++;
        if (change.version > maxVersion) maxVersion = change.version;
        if (opts.onProgress && ((i + 1) % every === 0 || i + 1 === total)) opts.onProgress({ done: i + 1, total, applied, skipped: i + 1 - applied });
      });
      if (total === 0) opts.onProgress?.({ done: 0, total: 0, applied: 0, skipped: 0 });
      this.s.putFeed!.run(feed, page.cursor, maxVersion, new Date(opts.nowMs ?? Date.now()).toISOString());
      return { applied, skipped: total - applied, cursor: page.cursor, has_more: page.has_more, version: maxVersion };
    })();
  }

  /** The stored version of an entity: its row's, or the tombstone's when it was removed. */
  private storedVersion(entity: 'guest' | 'table' | 'occasion', id: string, rowVersion: Statement): number {
    const row = (rowVersion.get(id) as number | undefined) ?? 0;
    const tomb = (this.s.tombstoneVersion!.get(entity, id) as number | undefined) ?? 0;
    return Math.max(row, tomb);
  }

  private applyOne(change: SyncChangeV2): boolean {
    const s = this.s;
    switch (change.kind) {
      case 'occasion': {
        const o = change.occasion;
        if (change.version <= this.storedVersion('occasion', o.id, s.occasionVersion!)) return false;
        s.putOccasion!.run({ ...o, starts_ms: Date.parse(o.starts_at), ends_ms: Date.parse(o.ends_at), version: change.version });
        s.dropTombstone!.run('occasion', o.id);
        return true;
      }
      case 'guest': {
        if (change.version <= this.storedVersion('guest', change.guest.id, s.guestVersion!)) return false;
        this.putGuest(change.guest, change.version);
        s.dropTombstone!.run('guest', change.guest.id);
        return true;
      }
      case 'table': {
        const t = change.table;
        if (change.version <= this.storedVersion('table', t.id, s.tableVersion!)) return false;
        s.putTable!.run({ ...t, tags_json: t.tags ? JSON.stringify(t.tags) : null, version: change.version });
        s.dropTombstone!.run('table', t.id);
        return true;
      }
      case 'floor_plan': {
        const current = (s.floorVersion!.get() as number | undefined) ?? 0;
        if (change.version <= current) return false;
        const f = change.floor_plan;
        s.putFloor!.run(f.width, f.height, JSON.stringify(f), change.version);
        s.clearDoors!.run();
        for (const d of f.doors) s.putDoor!.run(d.id, d.label, d.x, d.y);
        return true;
      }
      case 'tombstone': {
        const rowVersion = change.entity === 'guest' ? s.guestVersion! : change.entity === 'table' ? s.tableVersion! : s.occasionVersion!;
        if (change.version <= this.storedVersion(change.entity, change.id, rowVersion)) return false;
        s.putTombstone!.run(change.entity, change.id, change.version);
        // A removed guest stays, revoked, with their credentials: their ticket is then refused as revoked, not unknown.
        if (change.entity === 'guest') s.revokeGuest!.run(change.version, change.id);
        else if (change.entity === 'table') s.deleteTable!.run(change.id);
        else s.deleteOccasion!.run(change.id);
        return true;
      }
      case 'checkin': {
        const c = change.checkin;
        const occasion = (s.guestOccasion!.get(c.guest_id) as string | undefined) ?? null;
        return (
          s.putCheckin!.run({
            event_id: c.event_id,
            guest_id: c.guest_id,
            occasion_id: occasion,
            device_id: c.device_id,
            door_id: c.door_id,
            direction: c.direction,
            party_size: c.party_size,
            occurred_at: c.occurred_at,
            occurred_ms: Date.parse(c.occurred_at),
          }).changes === 1
        );
      }
      case 'checkin_reverted': {
        const r = change.reverted;
        return s.revertCheckin!.run(r.reverted_event_id, r.event_id, r.guest_id).changes > 0;
      }
      default: {
        const never: never = change;
        throw new SyncPageError(`unknown change kind ${JSON.stringify(never)}`);
      }
    }
  }

  private putGuest(g: SyncGuest, version: number): void {
    const s = this.s;
    s.putGuest!.run({
      id: g.id,
      occasion_id: g.occasion_id,
      name: g.name,
      name_folded: foldText(g.name),
      party_size: g.party_size,
      table_id: g.table_id,
      status: g.status,
      valid_from: g.valid_from,
      valid_to: g.valid_to,
      valid_from_ms: ms(g.valid_from),
      valid_to_ms: ms(g.valid_to),
      version,
      table_hlc: g.table_hlc ?? null,
      party_hlc: g.party_hlc ?? null,
      tags_json: g.tags ? JSON.stringify(g.tags) : null,
      meal: g.meal ?? null,
      notes: g.notes ?? null,
    });
    s.clearCredentials!.run(g.id);
    for (const c of g.credentials) s.putCredential!.run(c.kind, canonicalStoredCredential(c.kind, c.value), g.id);
    s.clearTokens!.run(g.id);
    for (const t of nameTokens(g.name)) s.putToken!.run(t, g.id);
  }
}
