// A venue's layout in the database: the draft (made from the published plan and tables when there is none), its checks
// beyond the schema, saving it under its revision, the published versions and restoring one, and the background
// images. Shared by the console's routes (layouts.ts, scoped to the session's tenant) and the CLI (console/layout-cli.ts).
import { createHash } from 'node:crypto';
import type { SyncFloorPlan, SyncTable } from '../../../core/contract/contract';
import type { LayoutDraft, LayoutImage, LayoutVersion, LayoutVersionList, PublishedRef } from '../../../core/console/layout';
import type { Layout } from '../../../core/designer/layout';
import { layoutFromSync } from '../../../core/designer/project';
import type { Queryable } from '../../db';
import { ConsoleError, notFound } from '../errors';
import { IMAGE_MAX_SIDE_PX, sniffImage } from './layout-image';

const iso = (d: Date | string) => new Date(d).toISOString();

/** What the doors have now: the venue's floor plan (null: none set) and its live tables with their seating tags. */
export interface LiveLayout {
  plan: SyncFloorPlan | null;
  tables: (SyncTable & { tags: string[] })[];
}

export async function liveLayout(q: Queryable, venueId: string): Promise<LiveLayout> {
  const [plan] = await q.query<{ plan: SyncFloorPlan }>('SELECT plan FROM guestlist.floor_plans WHERE venue_id = $1', [venueId]);
  const rows = await q.query<SyncTable & { tags: string[] | null }>(
    `SELECT t.id, t.label, t.capacity, t.shape, t.x, t.y, t.w, t.h, g.tags
       FROM guestlist.seating_tables t LEFT JOIN guestlist.seating_table_tags g ON g.table_id = t.id
      WHERE t.venue_id = $1 AND NOT t.deleted ORDER BY t.label, t.id`,
    [venueId],
  );
  const tables = rows.map((r) => ({ id: r.id, label: r.label, capacity: Number(r.capacity), shape: r.shape, x: Number(r.x), y: Number(r.y), w: Number(r.w), h: Number(r.h), tags: r.tags ?? [] }));
  return { plan: plan?.plan ?? null, tables };
}

export interface StoredVersion {
  version: number;
  published_at: string;
  published_by: string | null;
  note: string;
  layout: Layout;
}

/** A published version: the newest with 'latest'; null when there is none. */
export async function loadVersion(q: Queryable, venueId: string, version: number | 'latest'): Promise<StoredVersion | null> {
  const rows = await q.query<Omit<StoredVersion, 'published_at'> & { published_at: Date }>(
    `SELECT version, published_at, published_by, note, layout FROM guestlist.layout_versions WHERE venue_id = $1
       ${version === 'latest' ? 'ORDER BY version DESC LIMIT 1' : 'AND version = $2'}`,
    version === 'latest' ? [venueId] : [venueId, version],
  );
  const r = rows[0];
  return r ? { ...r, version: Number(r.version), published_at: iso(r.published_at) } : null;
}

export interface StoredDraft {
  layout: Layout;
  /** 0: no draft saved yet (made from the newest version, or the published plan and tables). */
  revision: number;
  updated_at: string | null;
  updated_by: string | null;
}

/**
 * The venue's draft. None saved: the newest published version's layout, else one made from the plan and tables the
 * doors have (a venue set up with the CLI), else an empty room. `forUpdate` holds the draft's row until commit.
 */
export async function loadDraft(q: Queryable, venueId: string, opts: { forUpdate?: boolean } = {}): Promise<StoredDraft> {
  const [row] = await q.query<{ layout: Layout; revision: number; updated_at: Date; updated_by: string | null }>(
    `SELECT layout, revision, updated_at, updated_by FROM guestlist.layout_drafts WHERE venue_id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [venueId],
  );
  if (row) return { layout: row.layout, revision: Number(row.revision), updated_at: iso(row.updated_at), updated_by: row.updated_by };
  const latest = await loadVersion(q, venueId, 'latest');
  if (latest) return { layout: latest.layout, revision: 0, updated_at: null, updated_by: null };
  const live = await liveLayout(q, venueId);
  return { layout: layoutFromSync(live.plan, live.tables), revision: 0, updated_at: null, updated_by: null };
}

/** Structural equality of JSON values (jsonb hands objects back with their keys in its own order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The API's answer for a draft: with the newest published version, and whether the draft differs from it. */
export async function draftAnswer(q: Queryable, venueId: string, draft: StoredDraft): Promise<LayoutDraft> {
  const latest = await loadVersion(q, venueId, 'latest');
  const published: PublishedRef | null = latest ? { version: latest.version, published_at: latest.published_at, published_by: latest.published_by } : null;
  // Never published: a saved draft is unpublished work; a made-up one is what the doors already have.
  const unpublished = latest ? !sameJson(draft.layout, latest.layout) : draft.revision > 0;
  return { venue_id: venueId, layout: draft.layout, revision: draft.revision, updated_at: draft.updated_at, updated_by: draft.updated_by, published, unpublished_changes: unpublished };
}

export async function getDraft(q: Queryable, venueId: string): Promise<LayoutDraft> {
  return draftAnswer(q, venueId, await loadDraft(q, venueId));
}

const bad = (message: string) => new ConsoleError('bad_request', message);

function named(kind: string, el: { id: string; label?: string }): string {
  const noun = kind.replace(/s$/, '');
  return el.label ? `${noun} "${el.label}"` : `${noun} ${el.id}`;
}

/**
 * What the schema cannot say: element ids unique in the layout, table labels unique (the doors find a table by it;
 * seating_tables holds one live table per label), table ids not another venue's (they are the guest list's global
 * table ids), and the background one of this venue's images. Throws bad_request naming the element.
 */
export async function checkLayout(q: Queryable, venueId: string, layout: Layout): Promise<void> {
  const seen = new Map<string, string>();
  for (const kind of ['walls', 'doors', 'zones', 'obstacles', 'tables', 'labels'] as const) {
    for (const el of layout[kind] as { id: string; label?: string }[]) {
      const here = named(kind, el);
      const other = seen.get(el.id);
      if (other) throw bad(`id "${el.id}" is used twice: by ${other} and by ${here}; every element needs an id of its own`);
      seen.set(el.id, here);
    }
  }
  const labels = new Map<string, string>();
  for (const t of layout.tables) {
    const other = labels.get(t.label);
    if (other) throw bad(`two tables are labelled "${t.label}" (ids ${other} and ${t.id}); a table's label must be unique`);
    labels.set(t.label, t.id);
  }
  if (layout.tables.length) {
    const taken = await q.query<{ id: string }>('SELECT guestlist.table_ids_of_other_venues($1, $2::text[]) AS id', [venueId, layout.tables.map((t) => t.id)]);
    if (taken.length) {
      const t = layout.tables.find((x) => x.id === taken[0]!.id)!;
      throw bad(`table "${t.label}" has the id "${t.id}", which belongs to a table of another venue; give it a new id`);
    }
  }
  if (layout.background) {
    const [img] = await q.query('SELECT 1 FROM guestlist.layout_images WHERE venue_id = $1 AND id = $2', [venueId, layout.background.image_id]);
    if (!img) throw bad(`the background image "${layout.background.image_id}" is not one of this venue's images; upload it again`);
  }
}

const stale = (current: number) =>
  new ConsoleError('conflict', `the layout was changed meanwhile (it is at revision ${current}); reload it to see the changes`);

/**
 * Saves `layout` as the draft if the draft is still at `revision`: the new revision is revision + 1. Checked first
 * (checkLayout). `expected` null: whatever the revision (the CLI's import).
 */
export async function saveDraft(
  q: Queryable,
  target: { tenantId: string; venueId: string },
  expected: number | null,
  layout: Layout,
  by: string,
  now: Date,
): Promise<StoredDraft> {
  const current = await loadDraft(q, target.venueId, { forUpdate: true });
  if (expected !== null && expected !== current.revision) throw stale(current.revision);
  await checkLayout(q, target.venueId, layout);
  return writeDraft(q, target, current.revision, layout, by, now);
}

/**
 * The draft's row at `from` + 1. A concurrent writer that got there first (an update past `from`, or the first
 * insert while this one read no row) makes it a conflict naming the revision it reached.
 */
async function writeDraft(q: Queryable, target: { tenantId: string; venueId: string }, from: number, layout: Layout, by: string, now: Date): Promise<StoredDraft> {
  const rows = await q.query<{ revision: number; updated_at: Date }>(
    `INSERT INTO guestlist.layout_drafts AS d (venue_id, tenant_id, layout, revision, updated_at, updated_by)
     VALUES ($1, $2, $3::jsonb, $4 + 1, $5, $6)
     ON CONFLICT (venue_id) DO UPDATE SET layout = EXCLUDED.layout, revision = d.revision + 1, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       WHERE d.revision = $4
     RETURNING revision, updated_at`,
    [target.venueId, target.tenantId, JSON.stringify(layout), from, now, by],
  );
  if (!rows[0]) {
    const [current] = await q.query<{ revision: number }>('SELECT revision FROM guestlist.layout_drafts WHERE venue_id = $1', [target.venueId]);
    throw stale(Number(current?.revision ?? from + 1));
  }
  return { layout, revision: Number(rows[0].revision), updated_at: iso(rows[0].updated_at), updated_by: by };
}

export async function listVersions(q: Queryable, venueId: string): Promise<LayoutVersionList> {
  const rows = await q.query<{ version: number; published_at: Date; published_by: string | null; note: string; tables: number; doors: number }>(
    `SELECT version, published_at, published_by, note,
            jsonb_array_length(layout -> 'tables') AS tables, jsonb_array_length(layout -> 'doors') AS doors
       FROM guestlist.layout_versions WHERE venue_id = $1 ORDER BY version DESC`,
    [venueId],
  );
  return { versions: rows.map((r) => ({ version: Number(r.version), published_at: iso(r.published_at), published_by: r.published_by, tables: Number(r.tables), doors: Number(r.doors), note: r.note })) };
}

export async function getVersion(q: Queryable, venueId: string, version: number | 'latest'): Promise<LayoutVersion> {
  const v = await loadVersion(q, venueId, version);
  if (!v) throw notFound(version === 'latest' ? 'a published layout' : `layout version ${version}`);
  return { version: v.version, published_at: v.published_at, layout: v.layout };
}

/** The draft becomes version `version`'s layout (revision + 1). Publishing it is a step of its own. */
export async function restoreVersion(
  q: Queryable,
  target: { tenantId: string; venueId: string },
  version: number,
  expected: number | null,
  by: string,
  now: Date,
): Promise<StoredDraft> {
  const v = await loadVersion(q, target.venueId, version);
  if (!v) throw notFound(`layout version ${version}`);
  const current = await loadDraft(q, target.venueId, { forUpdate: true });
  if (expected !== null && expected !== current.revision) throw stale(current.revision);
  return writeDraft(q, target, current.revision, v.layout, by, now);
}

/** Stores an uploaded plan image (once per content: its id is the bytes' SHA-256). */
export async function storeImage(q: Queryable, target: { tenantId: string; venueId: string }, bytes: Uint8Array, now: Date): Promise<LayoutImage> {
  const info = sniffImage(bytes);
  if (!info) throw bad('not a PNG or JPEG image');
  if (info.width_px < 1 || info.height_px < 1) throw bad('the image has no pixels');
  if (info.width_px > IMAGE_MAX_SIDE_PX || info.height_px > IMAGE_MAX_SIDE_PX) {
    throw bad(`the image is ${info.width_px} × ${info.height_px} pixels; at most ${IMAGE_MAX_SIDE_PX} a side`);
  }
  const id = createHash('sha256').update(bytes).digest('hex');
  await q.query(
    `INSERT INTO guestlist.layout_images (tenant_id, venue_id, id, mime, width_px, height_px, bytes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (venue_id, id) DO NOTHING`,
    [target.tenantId, target.venueId, id, info.mime, info.width_px, info.height_px, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), now],
  );
  return { image_id: id, mime: info.mime, width_px: info.width_px, height_px: info.height_px, bytes: bytes.byteLength };
}

export async function loadImage(q: Queryable, venueId: string, imageId: string): Promise<{ mime: string; bytes: Buffer }> {
  const [r] = /^[0-9a-f]{64}$/.test(imageId)
    ? await q.query<{ mime: string; bytes: Uint8Array }>('SELECT mime, bytes FROM guestlist.layout_images WHERE venue_id = $1 AND id = $2', [venueId, imageId])
    : [];
  if (!r) throw notFound('that image');
  const b = r.bytes;
  return { mime: r.mime, bytes: Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength) };
}
