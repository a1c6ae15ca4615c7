// A venue's layout as the console's API and the Seat Designer see it: the draft the planner edits, the versions
// published to the doors, restoring one, and the background image (cloud-sync/console/routes/layouts.ts).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';
import { LayoutSchema } from '../designer/layout';

const DateTime = Type.String({ format: 'date-time' });

export const PublishedRefSchema = Type.Object(
  { version: Type.Integer({ minimum: 1 }), published_at: DateTime, published_by: Nullable(Type.String()) },
  { additionalProperties: false },
);
export type PublishedRef = Static<typeof PublishedRefSchema>;

/**
 * `GET /console/api/venues/:id/layout`: the draft. A venue never drawn gets one made from its published floor plan
 * and tables (a plan set by the CLI), or an empty room; `revision` 0 until first saved.
 */
export const LayoutDraftSchema = Type.Object(
  {
    venue_id: Type.String(),
    layout: LayoutSchema,
    /** Bumped by every save; a save naming an older revision is refused (409): another tab or person saved meanwhile. */
    revision: Type.Integer({ minimum: 0 }),
    updated_at: Nullable(DateTime),
    updated_by: Nullable(Type.String()),
    /** The newest published version, null before the first publish. */
    published: Nullable(PublishedRefSchema),
    /** Whether the draft differs from the newest published version. */
    unpublished_changes: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type LayoutDraft = Static<typeof LayoutDraftSchema>;

/** `PUT /console/api/venues/:id/layout`. */
export const LayoutSaveSchema = Type.Object({ revision: Type.Integer({ minimum: 0 }), layout: LayoutSchema }, { additionalProperties: false });
export type LayoutSave = Static<typeof LayoutSaveSchema>;

/** `POST …/layout/preview`: what publishing the draft at `revision` would do, before asking the planner. */
export const PublishPreviewSchema = Type.Object(
  {
    revision: Type.Integer({ minimum: 0 }),
    /** Occasions of the venue under way now (started, not ended): publishing then needs `confirm_live`. */
    live_occasions: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })),
    /** Doors at least one of whose routes (to any table) changes, by the kiosks' route engine. */
    doors_changed: Type.Array(Type.String()),
    tables_added: Type.Integer({ minimum: 0 }),
    tables_changed: Type.Integer({ minimum: 0 }),
    /** Tables the draft no longer has, with the guests seated there that would be unseated (occasions not yet ended). */
    tables_removed: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), guests: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    /** Tables no door reaches (label), by the same check the designer shows. */
    unreachable_tables: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type PublishPreview = Static<typeof PublishPreviewSchema>;

/** `POST …/layout/publish`. */
export const PublishRequestSchema = Type.Object(
  {
    revision: Type.Integer({ minimum: 0 }),
    /** Required while an occasion is under way ("guests are arriving: N doors will change their routes"). */
    confirm_live: Type.Optional(Type.Boolean()),
    /** Required when a removed table has guests: they are unseated (audited, synced). */
    unseat_removed: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PublishRequest = Static<typeof PublishRequestSchema>;

export const PublishResultSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    published_at: DateTime,
    tables_added: Type.Integer({ minimum: 0 }),
    tables_changed: Type.Integer({ minimum: 0 }),
    tables_removed: Type.Integer({ minimum: 0 }),
    guests_unseated: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type PublishResult = Static<typeof PublishResultSchema>;

export const LayoutVersionRowSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }), published_at: DateTime, published_by: Nullable(Type.String()),
    tables: Type.Integer({ minimum: 0 }), doors: Type.Integer({ minimum: 0 }), note: Type.String(),
  },
  { additionalProperties: false },
);
export type LayoutVersionRow = Static<typeof LayoutVersionRowSchema>;
/** `GET …/layout/versions`, newest first. */
export const LayoutVersionListSchema = Type.Object({ versions: Type.Array(LayoutVersionRowSchema) }, { additionalProperties: false });
export type LayoutVersionList = Static<typeof LayoutVersionListSchema>;
/** `GET …/layout/versions/:version` (also what the seating chart draws: the newest published one, `…/versions/latest`). */
export const LayoutVersionSchema = Type.Object({ version: Type.Integer({ minimum: 1 }), published_at: DateTime, layout: LayoutSchema }, { additionalProperties: false });
export type LayoutVersion = Static<typeof LayoutVersionSchema>;
/** `POST …/layout/versions/:version/restore` answers the new draft (LayoutDraft): restoring never publishes by itself. */
export const RestoreRequestSchema = Type.Object({ revision: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type RestoreRequest = Static<typeof RestoreRequestSchema>;

/** `POST …/layout/images` (body: the PNG or JPEG bytes, ≤ IMAGE_MAX_BYTES) answers this; `GET …/layout/images/:id` serves it. */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const LayoutImageSchema = Type.Object(
  { image_id: Type.String(), mime: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg')]), width_px: Type.Integer({ minimum: 1 }), height_px: Type.Integer({ minimum: 1 }), bytes: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type LayoutImage = Static<typeof LayoutImageSchema>;
