// The layout as the doors see it: the contract's v1 floor plan and tables (core/contract/contract.ts), which every kiosk
// and hub already reads. Walls' polylines become segments, blocking obstacles rectangles, a rotated table or obstacle its
// bounding box (a route may keep a little further off it, never cross it), a banquet table a 'rect'. Zones, labels,
// chairs and the background stay in the console. And back: a layout made from a plan set by the CLI.
import type { SyncFloorPlan, SyncTable } from '../contract/contract';
import { boxBounds, tableBox, type Rect } from './geometry';
import { LAYOUT_FORMAT, WALKABLE_OBSTACLES, type Layout, type LayoutTable } from './layout';

export interface ProjectedLayout {
  floor_plan: SyncFloorPlan;
  tables: SyncTable[];
}

/** To the millimetre: the projection is stored and compared as JSON, so float noise must not make two plans differ. */
export function mm(v: number): number {
  const r = Math.round(v * 1000) / 1000;
  return r === 0 ? 0 : r; // no -0
}

function roundedRect(b: Rect): Rect {
  return { x: mm(b.x), y: mm(b.y), w: mm(b.w), h: mm(b.h) };
}

export function projectTable(t: LayoutTable): SyncTable {
  // A round table is a circle of diameter `w` whatever its rotation; a rotated box its bounds (quarter turns swap w, h).
  const b = roundedRect(boxBounds(tableBox(t), t.shape === 'round'));
  return { id: t.id, label: t.label, capacity: t.capacity, shape: t.shape === 'round' ? 'round' : 'rect', x: b.x, y: b.y, w: b.w, h: b.h };
}

export function projectLayout(layout: Layout): ProjectedLayout {
  const walls: SyncFloorPlan['walls'] = [];
  for (const wall of layout.walls) {
    for (let i = 1; i < wall.points.length; i++) {
      const a = wall.points[i - 1]!;
      const b = wall.points[i]!;
      walls.push({ x1: mm(a.x), y1: mm(a.y), x2: mm(b.x), y2: mm(b.y) });
    }
  }
  const obstacles = layout.obstacles.filter((o) => !WALKABLE_OBSTACLES.includes(o.kind)).map((o) => roundedRect(boxBounds(o, o.shape === 'round')));
  const doors = layout.doors.map((d) => ({ id: d.id, label: d.label, x: mm(d.x), y: mm(d.y) }));
  return {
    floor_plan: { width: mm(layout.width), height: mm(layout.height), walls, obstacles, doors },
    tables: layout.tables.map(projectTable),
  };
}

/** Room around tables placed without a plan. */
const MARGIN_M = 2;
const MIN_ROOM_M = 10;

/** A layout from a published v1 plan and tables (with their seating tags), for a venue never drawn in the designer. */
export function layoutFromSync(plan: SyncFloorPlan | null, tables: readonly (SyncTable & { tags?: string[] })[]): Layout {
  let width: number;
  let height: number;
  if (plan) {
    width = plan.width;
    height = plan.height;
  } else {
    let right = 0;
    let bottom = 0;
    for (const t of tables) {
      right = Math.max(right, t.x + t.w);
      bottom = Math.max(bottom, t.y + t.h);
    }
    width = Math.max(MIN_ROOM_M, Math.ceil(right + MARGIN_M));
    height = Math.max(MIN_ROOM_M, Math.ceil(bottom + MARGIN_M));
  }
  return {
    format: LAYOUT_FORMAT,
    width,
    height,
    grid: 0.5,
    walls: (plan?.walls ?? []).map((s, i) => ({ id: `wall-${i + 1}`, points: [{ x: s.x1, y: s.y1 }, { x: s.x2, y: s.y2 }] })),
    doors: (plan?.doors ?? []).map((d) => ({ id: d.id, label: d.label, x: d.x, y: d.y })),
    zones: [],
    obstacles: (plan?.obstacles ?? []).map((o, i) => ({
      id: `obstacle-${i + 1}`, kind: 'other' as const, label: '', shape: 'rect' as const, x: mm(o.x + o.w / 2), y: mm(o.y + o.h / 2), w: o.w, h: o.h, rotation: 0,
    })),
    tables: tables.map((t) => ({
      id: t.id, label: t.label, shape: t.shape, capacity: t.capacity,
      x: mm(t.x + t.w / 2), y: mm(t.y + t.h / 2),
      // The layout's table top is at least 0.3 m; a v1 table may be drawn smaller (or as a point).
      w: Math.max(0.3, t.w), h: Math.max(0.3, t.h),
      rotation: 0, tags: [...(t.tags ?? [])],
    })),
    labels: [],
    background: null,
  };
}
