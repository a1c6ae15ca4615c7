// The Seat Designer's document: a venue's room as planners draw it (walls, doors, zones, obstacles, tables with their
// chairs, labels, a background image). Richer than the contract's floor plan; what the doors need of it is projected
// onto SyncFloorPlan + SyncTable (project.ts), so kiosks that have not updated keep reading plans they understand.
// Units are metres from the room's top-left corner, angles degrees clockwise. Pure: types and schemas only.
import { Type, type Static } from '@sinclair/typebox';

/** Bumped only by a change old consoles cannot read; a reader refuses a format it does not know. */
export const LAYOUT_FORMAT = 1;

/** Every element's id: kept across drafts and versions (a table's id is the guest list's table_id). */
export const ElementIdSchema = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' });
const Coord = Type.Number({ minimum: -10_000, maximum: 10_000 });
const Size = Type.Number({ minimum: 0, maximum: 10_000 });
/** Degrees clockwise, [0, 360). */
export const RotationSchema = Type.Number({ minimum: 0, exclusiveMaximum: 360 });
const Text64 = Type.String({ maxLength: 64 });

export const LayoutPointSchema = Type.Object({ x: Coord, y: Coord }, { additionalProperties: false });
export type LayoutPoint = Static<typeof LayoutPointSchema>;

/** A wall: a polyline, each segment blocks walking. */
export const LayoutWallSchema = Type.Object(
  { id: ElementIdSchema, points: Type.Array(LayoutPointSchema, { minItems: 2, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type LayoutWall = Static<typeof LayoutWallSchema>;

/** A door: where a door kiosk stands ("You are here"); its id is the kiosk's door_id. */
export const LayoutDoorSchema = Type.Object({ id: ElementIdSchema, label: Text64, x: Coord, y: Coord }, { additionalProperties: false });
export type LayoutDoor = Static<typeof LayoutDoorSchema>;

/** A room or zone: drawn and labelled, walkable (walls bound rooms, not zones). `x`, `y` its centre. */
export const LayoutZoneSchema = Type.Object(
  { id: ElementIdSchema, label: Text64, x: Coord, y: Coord, w: Size, h: Size, rotation: RotationSchema },
  { additionalProperties: false },
);
export type LayoutZone = Static<typeof LayoutZoneSchema>;

export const ObstacleKindSchema = Type.Union([
  Type.Literal('stage'), Type.Literal('bar'), Type.Literal('dance_floor'), Type.Literal('pillar'), Type.Literal('other'),
]);
export type ObstacleKind = Static<typeof ObstacleKindSchema>;
/** Guests walk across a dance floor; every other obstacle blocks. */
export const WALKABLE_OBSTACLES: readonly ObstacleKind[] = ['dance_floor'];

/** `x`, `y` its centre; `round`: an ellipse inscribed in w × h. */
export const LayoutObstacleSchema = Type.Object(
  {
    id: ElementIdSchema, kind: ObstacleKindSchema, label: Text64, shape: Type.Union([Type.Literal('rect'), Type.Literal('round')]),
    x: Coord, y: Coord, w: Size, h: Size, rotation: RotationSchema,
  },
  { additionalProperties: false },
);
export type LayoutObstacle = Static<typeof LayoutObstacleSchema>;

/** round: chairs all around; rect: chairs on all four sides; banquet: a long table, chairs on its two long sides. */
export const TableShapeSchema = Type.Union([Type.Literal('round'), Type.Literal('rect'), Type.Literal('banquet')]);
export type TableShape = Static<typeof TableShapeSchema>;

/** `x`, `y` its centre, `w` × `h` the table top (a round table's diameter is `w`). */
export const LayoutTableSchema = Type.Object(
  {
    id: ElementIdSchema,
    label: Type.String({ minLength: 1, maxLength: 64 }),
    shape: TableShapeSchema,
    capacity: Type.Integer({ minimum: 0, maximum: 1000 }),
    x: Coord, y: Coord,
    w: Type.Number({ minimum: 0.3, maximum: 100 }),
    h: Type.Number({ minimum: 0.3, maximum: 100 }),
    rotation: RotationSchema,
    /** What the seating engine matches a party's needs against (accessible, vip …). */
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[^|\\s][^|]*$' }), { maxItems: 32 }),
  },
  { additionalProperties: false },
);
export type LayoutTable = Static<typeof LayoutTableSchema>;

export const LayoutLabelSchema = Type.Object(
  { id: ElementIdSchema, text: Type.String({ minLength: 1, maxLength: 200 }), x: Coord, y: Coord, size: Type.Number({ minimum: 0.1, maximum: 20 }), rotation: RotationSchema },
  { additionalProperties: false },
);
export type LayoutLabel = Static<typeof LayoutLabelSchema>;

/** The venue's own plan under the drawing: an uploaded PNG or JPEG placed with its top-left at x, y, scaled to metres. */
export const LayoutBackgroundSchema = Type.Object(
  {
    image_id: ElementIdSchema,
    x: Coord, y: Coord,
    /** Metres per image pixel: set by two points and the distance between them. */
    m_per_px: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    opacity: Type.Number({ minimum: 0, maximum: 1 }),
    width_px: Type.Integer({ minimum: 1, maximum: 20_000 }),
    height_px: Type.Integer({ minimum: 1, maximum: 20_000 }),
  },
  { additionalProperties: false },
);
export type LayoutBackground = Static<typeof LayoutBackgroundSchema>;

// Plain constants, not reads of an object: esbuild keeps a schema whose options read a property (a possible side
// effect), and with it TypeBox, in the console's bundle.
const MAX_WALLS = 2000;
const MAX_DOORS = 64;
const MAX_ZONES = 200;
const MAX_OBSTACLES = 1000;
const MAX_TABLES = 2000;
const MAX_LABELS = 1000;
export const LAYOUT_LIMITS = { walls: MAX_WALLS, doors: MAX_DOORS, zones: MAX_ZONES, obstacles: MAX_OBSTACLES, tables: MAX_TABLES, labels: MAX_LABELS } as const;

export const LayoutSchema = Type.Object(
  {
    format: Type.Literal(LAYOUT_FORMAT),
    width: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
    height: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
    /** The snap grid's step in metres (0: no snapping). */
    grid: Type.Number({ minimum: 0, maximum: 10 }),
    walls: Type.Array(LayoutWallSchema, { maxItems: MAX_WALLS }),
    doors: Type.Array(LayoutDoorSchema, { maxItems: MAX_DOORS }),
    zones: Type.Array(LayoutZoneSchema, { maxItems: MAX_ZONES }),
    obstacles: Type.Array(LayoutObstacleSchema, { maxItems: MAX_OBSTACLES }),
    tables: Type.Array(LayoutTableSchema, { maxItems: MAX_TABLES }),
    labels: Type.Array(LayoutLabelSchema, { maxItems: MAX_LABELS }),
    background: Type.Union([LayoutBackgroundSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type Layout = Static<typeof LayoutSchema>;

/** The element collections of a layout, by the name a selection uses. */
export type ElementKind = 'walls' | 'doors' | 'zones' | 'obstacles' | 'tables' | 'labels';
export const ELEMENT_KINDS: readonly ElementKind[] = ['walls', 'doors', 'zones', 'obstacles', 'tables', 'labels'];

/** A new room: 30 × 20 m, a 0.5 m grid, nothing drawn. */
export function emptyLayout(width = 30, height = 20): Layout {
  return { format: LAYOUT_FORMAT, width, height, grid: 0.5, walls: [], doors: [], zones: [], obstacles: [], tables: [], labels: [], background: null };
}
