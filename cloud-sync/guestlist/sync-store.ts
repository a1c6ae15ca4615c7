// `GET /v1/sync` on the cloud: a venue's guest-list changes after a cursor, in version order, from Postgres/PGlite.
import type { ReentryPolicy, SyncChange, SyncFeature, SyncFloorPlan, SyncGuest, SyncResponse, SyncTable } from '../../core/contract/contract';
import { WireError } from '../../protocol/errors';
import type { Caller, SyncStore } from '../../protocol/store';
import { ALL_SYNC_ENTITIES, type SyncEntity } from '../../protocol/sync-scope';
import type { Queryable } from '../db';

const CURSOR_PREFIX = 'gl1.';

/** The cursor is opaque to clients; inside it is the last version they were given. */
export function encodeCursor(version: number): string {
  return CURSOR_PREFIX + Buffer.from(String(version), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (cursor.startsWith(CURSOR_PREFIX)) {
    const text = Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
    if (/^(0|[1-9][0-9]{0,15})$/.test(text)) return Number(text);
  }
  throw new WireError(400, 'bad_request', 'cursor is not one this server gave out; start again without a cursor');
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

type Kind = 'occasion' | 'guest' | 'table' | 'floor_plan';
const KINDS: readonly Kind[] = ['occasion', 'guest', 'table', 'floor_plan'];

export class PgSyncStore implements SyncStore {
  constructor(private readonly db: Queryable) {}

  async changesSince(caller: Caller, cursor: string | undefined, limit: number, entities: readonly SyncEntity[] = ALL_SYNC_ENTITIES, features?: ReadonlySet<SyncFeature>): Promise<SyncResponse> {
    const after = decodeCursor(cursor);
    // The hub names guest_desk: its guests carry the seat HLCs, tags, meal and notes, its tables their tags. Anyone
    // else (a kiosk validating strictly, an older hub) gets exactly the v1 rows.
    const desk = features?.has('guest_desk') === true;
    // Deleted rows carry their kind too, so the filter keeps a table's tombstone with the tables.
    const kinds = KINDS.filter((k) => entities.includes(k));
    // One read-only snapshot for the page: the version list and the rows it names agree with each other.
    return this.db.tx(async (q) => {
      await q.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const heads = await q.query<{ kind: Kind; version: number; id: string; deleted: boolean }>(
        `SELECT * FROM (
           SELECT 'occasion' AS kind, version, id, deleted FROM guestlist.occasions
            WHERE tenant_id = $1 AND venue_id = $2 AND version > $3
           UNION ALL
           SELECT 'guest', version, id, deleted FROM guestlist.guests
            WHERE tenant_id = $1 AND venue_id = $2 AND version > $3
           UNION ALL
           SELECT 'table', version, id, deleted FROM guestlist.seating_tables
            WHERE tenant_id = $1 AND venue_id = $2 AND version > $3
           UNION ALL
           SELECT 'floor_plan', version, venue_id, false FROM guestlist.floor_plans
            WHERE tenant_id = $1 AND venue_id = $2 AND version > $3
         ) AS h WHERE kind = ANY($5::text[]) ORDER BY version LIMIT $4`,
        [caller.tenantId, caller.venueId, after, limit + 1, kinds],
      );
      const hasMore = heads.length > limit;
      const page = hasMore ? heads.slice(0, limit) : heads;
      const live = (kind: Kind) => page.filter((h) => h.kind === kind && !h.deleted).map((h) => h.id);

      const occasions = new Map(
        (await this.fetchIfAny(q, live('occasion'), `SELECT id, name, starts_at, ends_at, timezone, reentry_policy FROM guestlist.occasions WHERE venue_id = $1 AND id = ANY($2::text[])`, caller.venueId))
          .map((r) => [r.id as string, r]),
      );
      const tables = new Map(
        (await this.fetchIfAny(q, live('table'), desk
          ? `SELECT t.id, t.label, t.capacity, t.shape, t.x, t.y, t.w, t.h, coalesce(tt.tags, '{}') AS tags
               FROM guestlist.seating_tables t LEFT JOIN guestlist.seating_table_tags tt ON tt.table_id = t.id AND tt.venue_id = t.venue_id
              WHERE t.venue_id = $1 AND t.id = ANY($2::text[])`
          : `SELECT id, label, capacity, shape, x, y, w, h FROM guestlist.seating_tables WHERE venue_id = $1 AND id = ANY($2::text[])`, caller.venueId))
          .map((r) => [r.id as string, r]),
      );
      const guests = new Map(
        (await this.fetchIfAny(
          q,
          live('guest'),
          `SELECT g.id, g.occasion_id, g.name, g.party_size, g.table_id, g.status, g.valid_from, g.valid_to,${desk ? ' g.table_hlc, g.party_hlc, g.tags, g.meal, g.desk_notes,' : ''}
                  coalesce((SELECT jsonb_agg(jsonb_build_object('kind', c.kind, 'value', c.value) ORDER BY c.kind, c.value)
                              FROM guestlist.credentials c WHERE c.venue_id = g.venue_id AND c.guest_id = g.id), '[]'::jsonb) AS credentials
             FROM guestlist.guests g WHERE g.venue_id = $1 AND g.id = ANY($2::text[])`,
          caller.venueId,
        )).map((r) => [r.id as string, r]),
      );
      const plans = page.some((h) => h.kind === 'floor_plan')
        ? await q.query<{ plan: SyncFloorPlan }>('SELECT plan FROM guestlist.floor_plans WHERE venue_id = $1', [caller.venueId])
        : [];

      const changes: SyncChange[] = page.map((h): SyncChange => {
        const version = Number(h.version);
        switch (h.kind) {
          case 'occasion': {
            if (h.deleted) return { kind: 'tombstone', version, entity: 'occasion', id: h.id };
            const r = occasions.get(h.id) as Record<string, unknown>;
            return {
              kind: 'occasion',
              version,
              occasion: {
                id: h.id, name: r.name as string, starts_at: (r.starts_at as Date).toISOString(), ends_at: (r.ends_at as Date).toISOString(),
                timezone: r.timezone as string, reentry_policy: r.reentry_policy as ReentryPolicy,
              },
            };
          }
          case 'table': {
            if (h.deleted) return { kind: 'tombstone', version, entity: 'table', id: h.id };
            const r = tables.get(h.id) as Record<string, unknown>;
            return {
              kind: 'table',
              version,
              table: {
                id: h.id, label: r.label as string, capacity: r.capacity as number, shape: r.shape as SyncTable['shape'], x: r.x as number, y: r.y as number, w: r.w as number, h: r.h as number,
                ...(desk ? { tags: r.tags as string[] } : {}),
              },
            };
          }
          case 'guest': {
            if (h.deleted) return { kind: 'tombstone', version, entity: 'guest', id: h.id };
            const r = guests.get(h.id) as Record<string, unknown>;
            const guest: SyncGuest = {
              id: h.id,
              occasion_id: r.occasion_id as string,
              name: r.name as string,
              party_size: r.party_size as number,
              table_id: (r.table_id as string | null) ?? null,
              status: r.status as SyncGuest['status'],
              valid_from: iso(r.valid_from as Date | null),
              valid_to: iso(r.valid_to as Date | null),
              credentials: r.credentials as SyncGuest['credentials'],
              ...(desk
                ? { table_hlc: (r.table_hlc as string | null) ?? null, party_hlc: (r.party_hlc as string | null) ?? null, tags: r.tags as string[], meal: (r.meal as string | null) ?? null, notes: (r.desk_notes as string | null) ?? null }
                : {}),
            };
            return { kind: 'guest', version, guest };
          }
          case 'floor_plan':
            return { kind: 'floor_plan', version, floor_plan: (plans[0] as { plan: SyncFloorPlan }).plan };
          default: {
            const never: never = h.kind;
            throw new Error(`unknown change kind ${String(never)}`);
          }
        }
      });
      const last = page[page.length - 1];
      return { cursor: encodeCursor(last ? Number(last.version) : after), has_more: hasMore, changes };
    });
  }

  private async fetchIfAny(q: Queryable, ids: string[], sql: string, venueId: string): Promise<Record<string, unknown>[]> {
    if (!ids.length) return [];
    return q.query<Record<string, unknown>>(sql, [venueId, ids]);
  }
}
