// Publishing a venue's layout draft to the doors: what it would do (the preview the planner confirms), and doing it in
// one transaction under the venue's sync lock. The doors keep reading the v1 contract: the layout is projected
// (core/designer/project.ts) onto guestlist.floor_plans and guestlist.seating_tables (+ seating_table_tags), whose
// triggers bump the sync versions GET /v1/sync pages through; the whole layout is kept as a numbered version.
import type { SyncTable } from '../../../core/contract/contract';
import type { PublishPreview, PublishRequest, PublishResult } from '../../../core/console/layout';
import type { Layout } from '../../../core/designer/layout';
import { layoutFromSync, projectLayout } from '../../../core/designer/project';
import { checkReachability, doorsWithChangedRoutes } from '../../../core/designer/reach';
import type { Queryable } from '../../db';
import { lockVenue } from '../../guestlist/common';
import { recordAudit, type AuditActor } from '../audit';
import { ConsoleError } from '../errors';
import { checkLayout, liveLayout, loadDraft, type LiveLayout, type StoredDraft } from './layout-store';

const SYNC_FIELDS = ['label', 'capacity', 'shape', 'x', 'y', 'w', 'h'] as const;

interface TableDiff {
  /** Tables to insert or update: new (or a deleted one back), or changed in a synced field. */
  writes: SyncTable[];
  added: number;
  changed: number;
  /** Live tables the layout no longer has. */
  removed: { id: string; label: string }[];
  /** Live tables whose label changes (they get a temporary one first, so a swap passes the unique label index). */
  relabelled: string[];
  /** Table id → tags, for every layout table whose tags differ from the stored ones. */
  tags: Map<string, string[]>;
}

function diffTables(layout: Layout, live: LiveLayout): TableDiff {
  const now = new Map(live.tables.map((t) => [t.id, t]));
  const projected = projectLayout(layout).tables;
  const out: TableDiff = { writes: [], added: 0, changed: 0, removed: [], relabelled: [], tags: new Map() };
  projected.forEach((p, i) => {
    const tags = layout.tables[i]!.tags;
    const was = now.get(p.id);
    if (!was) {
      out.writes.push(p);
      out.added++;
      out.tags.set(p.id, tags);
      return;
    }
    const synced = SYNC_FIELDS.some((k) => p[k] !== was[k]);
    const retagged = tags.length !== was.tags.length || tags.some((v, j) => v !== was.tags[j]);
    if (synced) out.writes.push(p);
    if (p.label !== was.label) out.relabelled.push(p.id);
    if (retagged) out.tags.set(p.id, tags);
    if (synced || retagged) out.changed++;
  });
  const kept = new Set(projected.map((p) => p.id));
  for (const t of live.tables) if (!kept.has(t.id)) out.removed.push({ id: t.id, label: t.label });
  return out;
}

/** Occasions of the venue under way at `now`. */
async function liveOccasions(q: Queryable, venueId: string, now: Date): Promise<{ id: string; name: string }[]> {
  return q.query<{ id: string; name: string }>(
    'SELECT id, name FROM guestlist.occasions WHERE venue_id = $1 AND NOT deleted AND starts_at <= $2 AND ends_at > $2 ORDER BY starts_at, id',
    [venueId, now],
  );
}

/**
 * Guests seated at the tables, of the venue's occasions that have not ended: those a removed table would unseat. An
 * occasion that is over keeps its seating as it was (the table row stays, marked deleted), so its record is not rewritten.
 */
const SEATED_AT = `SELECT g.id, g.table_id FROM guestlist.guests g JOIN guestlist.occasions o ON o.id = g.occasion_id AND o.venue_id = g.venue_id
   WHERE g.venue_id = $1 AND g.table_id = ANY($2::text[]) AND NOT g.deleted AND o.ends_at > $3`;

/** How many guests each of `tableIds` would unseat (SEATED_AT). */
async function seatedAt(q: Queryable, venueId: string, tableIds: string[], now: Date): Promise<Map<string, number>> {
  if (!tableIds.length) return new Map();
  const rows = await q.query<{ table_id: string; n: number }>(
    `SELECT table_id, count(*)::int AS n FROM (${SEATED_AT}) s GROUP BY table_id`,
    [venueId, tableIds, now],
  );
  return new Map(rows.map((r) => [r.table_id, Number(r.n)]));
}

interface Plan {
  preview: PublishPreview;
  diff: TableDiff;
  live: LiveLayout;
}

async function planPublish(q: Queryable, venueId: string, draft: StoredDraft, now: Date): Promise<Plan> {
  const live = await liveLayout(q, venueId);
  const diff = diffTables(draft.layout, live);
  const guests = await seatedAt(q, venueId, diff.removed.map((t) => t.id), now);
  // The routes the doors show now are those of the plan and tables they have (set by the CLI or the last publish);
  // a venue without a plan has no route anywhere yet, so every door of the draft changes.
  const before = live.plan ? layoutFromSync(live.plan, live.tables) : null;
  const unreachable = new Set(['unreachable', 'no_doors', 'outside_room']);
  const labelOf = new Map(draft.layout.tables.map((t) => [t.id, t.label]));
  const preview: PublishPreview = {
    revision: draft.revision,
    live_occasions: await liveOccasions(q, venueId, now),
    doors_changed: doorsWithChangedRoutes(before, draft.layout),
    tables_added: diff.added,
    tables_changed: diff.changed,
    tables_removed: diff.removed.map((t) => ({ id: t.id, label: t.label, guests: guests.get(t.id) ?? 0 })),
    unreachable_tables: checkReachability(draft.layout).tables.filter((r) => r.problem && unreachable.has(r.problem)).map((r) => labelOf.get(r.table_id) ?? r.table_id),
  };
  return { preview, diff, live };
}

const stale = (current: number) =>
  new ConsoleError('conflict', `the layout was changed meanwhile (it is at revision ${current}); reload it and publish again`);

/** What publishing the draft at `revision` would do. */
export async function previewPublish(q: Queryable, venueId: string, revision: number, now: Date): Promise<PublishPreview> {
  const draft = await loadDraft(q, venueId);
  if (draft.revision !== revision) throw stale(draft.revision);
  return (await planPublish(q, venueId, draft, now)).preview;
}

/** Why publishing needs the planner's yes, or null: an occasion under way, or guests at tables that go. */
export function confirmationNeeded(preview: PublishPreview, req: Pick<PublishRequest, 'confirm_live' | 'unseat_removed'>): string | null {
  const reasons: string[] = [];
  if (preview.live_occasions.length && !req.confirm_live) {
    const n = preview.doors_changed.length;
    reasons.push(`guests are arriving (${preview.live_occasions.map((o) => o.name).join(', ')}): ${n} door${n === 1 ? '' : 's'} will change their routes`);
  }
  const seated = preview.tables_removed.filter((t) => t.guests > 0);
  if (seated.length && !req.unseat_removed) {
    const guests = seated.reduce((s, t) => s + t.guests, 0);
    reasons.push(`${guests} guest${guests === 1 ? ' is' : 's are'} seated at table${seated.length === 1 ? '' : 's'} ${seated.map((t) => `"${t.label}"`).join(', ')}, which the layout removes; they would be unseated`);
  }
  return reasons.length ? reasons.join('; ') : null;
}

/** A label no planner types, unique per table and within the column's 64 characters. */
const TEMP_LABEL = `'\u2060relabel:' || md5(id)`;

/**
 * Publishes the venue's draft in the caller's transaction: under the venue's lock, refused when the draft moved on
 * (conflict) or when it needs confirming (confirm_needed, with the preview). `who` is the audit's actor.
 */
export async function publishLayout(q: Queryable, who: AuditActor, venueId: string, req: PublishRequest, now: Date): Promise<PublishResult> {
  const { tenantId } = await lockVenue(q, venueId);
  const draft = await loadDraft(q, venueId, { forUpdate: true });
  if (draft.revision !== req.revision) throw stale(draft.revision);
  await checkLayout(q, venueId, draft.layout);
  const { preview, diff } = await planPublish(q, venueId, draft, now);
  const why = confirmationNeeded(preview, req);
  if (why) throw new ConsoleError('confirm_needed', `publishing needs your confirmation: ${why}`, { preview });

  const removedIds = diff.removed.map((t) => t.id);
  let unseated: { id: string; occasion_id: string; table_id: string }[] = [];
  if (removedIds.length) {
    // Guests first (their table_id references the table; the update bumps their sync version), then the tables.
    unseated = await q.query<{ id: string; occasion_id: string; table_id: string }>(
      `WITH seated AS (${SEATED_AT} ORDER BY g.id FOR UPDATE OF g)
       UPDATE guestlist.guests g SET table_id = NULL FROM seated WHERE g.id = seated.id RETURNING g.id, g.occasion_id, seated.table_id`,
      [venueId, removedIds, now],
    );
    await q.query('DELETE FROM guestlist.seating_table_tags WHERE venue_id = $1 AND table_id = ANY($2::text[])', [venueId, removedIds]);
    await q.query('UPDATE guestlist.seating_tables SET deleted = true WHERE venue_id = $1 AND id = ANY($2::text[])', [venueId, removedIds]);
  }
  if (diff.relabelled.length) {
    await q.query(`UPDATE guestlist.seating_tables SET label = ${TEMP_LABEL} WHERE venue_id = $1 AND id = ANY($2::text[])`, [venueId, diff.relabelled]);
  }
  if (diff.writes.length) {
    const written = await q.query<{ id: string }>(
      `INSERT INTO guestlist.seating_tables AS t (id, tenant_id, venue_id, label, capacity, shape, x, y, w, h, version)
       SELECT r.id, $2, $3, r.label, r.capacity, r.shape, r.x, r.y, r.w, r.h, 0
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, label text, capacity integer, shape text, x float8, y float8, w float8, h float8)
       ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, capacity = EXCLUDED.capacity, shape = EXCLUDED.shape,
         x = EXCLUDED.x, y = EXCLUDED.y, w = EXCLUDED.w, h = EXCLUDED.h, deleted = false
         WHERE t.venue_id = EXCLUDED.venue_id
       RETURNING t.id`,
      [JSON.stringify(diff.writes), tenantId, venueId],
    );
    // checkLayout refused another venue's ids; this guards the statement itself (it would update nothing of theirs).
    if (written.length !== diff.writes.length) throw new ConsoleError('conflict', 'a table id of this layout belongs to another venue; reload the layout');
  }
  if (diff.tags.size) {
    await q.query(
      `INSERT INTO guestlist.seating_table_tags (table_id, tenant_id, venue_id, tags)
       SELECT r.id, $2, $3, ARRAY(SELECT jsonb_array_elements_text(r.tags)) FROM jsonb_to_recordset($1::jsonb) AS r(id text, tags jsonb)
       ON CONFLICT (table_id) DO UPDATE SET tags = EXCLUDED.tags`,
      [JSON.stringify([...diff.tags].map(([id, tags]) => ({ id, tags }))), tenantId, venueId],
    );
  }
  // An unchanged plan is not written: its sync version would send every door the same plan again.
  await q.query(
    `INSERT INTO guestlist.floor_plans AS f (venue_id, tenant_id, plan, version) VALUES ($1, $2, $3::jsonb, 0)
     ON CONFLICT (venue_id) DO UPDATE SET plan = EXCLUDED.plan WHERE f.plan IS DISTINCT FROM EXCLUDED.plan`,
    [venueId, tenantId, JSON.stringify(projectLayout(draft.layout).floor_plan)],
  );
  const [v] = await q.query<{ version: number }>(
    `INSERT INTO guestlist.layout_versions (tenant_id, venue_id, version, layout, published_at, published_by, note)
     SELECT $1, $2, coalesce(max(version), 0) + 1, $3::jsonb, $4, $5, $6 FROM guestlist.layout_versions WHERE venue_id = $2
     RETURNING version`,
    [tenantId, venueId, JSON.stringify(draft.layout), now, who.actor, req.note ?? ''],
  );
  const version = Number(v!.version);
  const result: PublishResult = {
    version, published_at: now.toISOString(),
    tables_added: diff.added, tables_changed: diff.changed, tables_removed: removedIds.length, guests_unseated: unseated.length,
  };
  await recordAudit(q, who, {
    tenantId, action: 'layout.publish', entity: 'layout', entityId: venueId, venueId,
    // Versions are numbered one by one under the venue lock: the doors had the one before (none before the first).
    before: { version: version > 1 ? version - 1 : null },
    after: { version, revision: draft.revision, tables: { total: draft.layout.tables.length, added: diff.added, changed: diff.changed, removed: removedIds.length }, doors_changed: preview.doors_changed, live_occasions: preview.live_occasions.map((o) => o.id), ...(req.note ? { note: req.note } : {}) },
  });
  if (unseated.length) {
    await recordAudit(q, who, {
      tenantId, action: 'layout.unseat', entity: 'layout', entityId: venueId, venueId,
      before: { guests: unseated.map((g) => ({ id: g.id, occasion_id: g.occasion_id, table_id: g.table_id })) },
      after: { version, table_id: null },
    });
  }
  return result;
}
