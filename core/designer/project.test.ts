import { describe, expect, it } from 'vitest';
import { SyncFloorPlanSchema, SyncTableSchema, type SyncFloorPlan, type SyncTable } from '../contract/contract';
import { ajv } from '../contract/validate';
import { emptyLayout, LayoutSchema, type Layout, type LayoutObstacle, type LayoutTable } from './layout';
import { layoutFromSync, projectLayout } from './project';

const validPlan = ajv.compile(SyncFloorPlanSchema);
const validTable = ajv.compile(SyncTableSchema);
const validLayout = ajv.compile(LayoutSchema);

const table = (over: Partial<LayoutTable> & { id: string }): LayoutTable => ({
  label: over.id.toUpperCase(), shape: 'rect', capacity: 8, x: 10, y: 10, w: 2, h: 1, rotation: 0, tags: [], ...over,
});
const obstacle = (over: Partial<LayoutObstacle> & { id: string }): LayoutObstacle => ({
  kind: 'stage', label: '', shape: 'rect', x: 10, y: 10, w: 4, h: 2, rotation: 0, ...over,
});

function layout(over: Partial<Layout> = {}): Layout {
  return { ...emptyLayout(30, 20), ...over };
}

describe('projectLayout', () => {
  it('turns each wall polyline into its consecutive segments', () => {
    const p = projectLayout(layout({
      walls: [
        { id: 'room', points: [{ x: 0, y: 0 }, { x: 30, y: 0 }, { x: 30, y: 20 }] },
        { id: 'short', points: [{ x: 5, y: 5 }, { x: 5, y: 8 }] },
      ],
    }));
    expect(p.floor_plan.walls).toEqual([
      { x1: 0, y1: 0, x2: 30, y2: 0 },
      { x1: 30, y1: 0, x2: 30, y2: 20 },
      { x1: 5, y1: 5, x2: 5, y2: 8 },
    ]);
  });

  it('keeps blocking obstacles as their bounding boxes and leaves the dance floor out', () => {
    const p = projectLayout(layout({
      obstacles: [
        obstacle({ id: 'stage', x: 10, y: 3, w: 8, h: 2 }),
        obstacle({ id: 'floor', kind: 'dance_floor', x: 15, y: 10, w: 6, h: 6 }),
        obstacle({ id: 'bar', kind: 'bar', x: 25, y: 10, w: 4, h: 1, rotation: 90 }),
        obstacle({ id: 'pillar', kind: 'pillar', shape: 'round', x: 5, y: 15, w: 0.6, h: 0.6, rotation: 0 }),
      ],
    }));
    expect(p.floor_plan.obstacles).toEqual([
      { x: 6, y: 2, w: 8, h: 2 },
      // A quarter turn swaps width and height exactly: no 1e-16 left over from cos(90°).
      { x: 24.5, y: 8, w: 1, h: 4 },
      { x: 4.7, y: 14.7, w: 0.6, h: 0.6 },
    ]);
  });

  it('bounds a box turned 45° by its rotated corners, a round obstacle by its ellipse', () => {
    const p = projectLayout(layout({
      obstacles: [
        obstacle({ id: 'sq', x: 10, y: 10, w: 2, h: 2, rotation: 45 }),
        obstacle({ id: 'oval', shape: 'round', x: 20, y: 10, w: 4, h: 2, rotation: 45 }),
      ],
    }));
    const d = Math.round(2 * Math.SQRT2 * 1000) / 1000;
    expect(p.floor_plan.obstacles[0]).toEqual({ x: Math.round((10 - Math.SQRT2) * 1000) / 1000, y: Math.round((10 - Math.SQRT2) * 1000) / 1000, w: d, h: d });
    // Ellipse with semi-axes 2 and 1 at 45°: half-width √((4 + 1) / 2).
    const half = Math.sqrt(2.5);
    expect(p.floor_plan.obstacles[1]!.w).toBeCloseTo(2 * half, 3);
    expect(p.floor_plan.obstacles[1]!.w).toBeLessThan(4 * Math.SQRT1_2 + 2 * Math.SQRT1_2); // tighter than the rectangle's
  });

  it('gives each table its top-left corner and size, a banquet as rect, a round table its diameter both ways', () => {
    const p = projectLayout(layout({
      tables: [
        table({ id: 'r1', shape: 'round', x: 5, y: 5, w: 1.8, h: 1.2, rotation: 30 }),
        table({ id: 'b1', shape: 'banquet', capacity: 12, x: 15, y: 8, w: 6, h: 1, rotation: 0 }),
        table({ id: 'b2', shape: 'banquet', x: 25, y: 10, w: 6, h: 1, rotation: 270 }),
        table({ id: 'q1', shape: 'rect', label: 'Table 4', capacity: 4, x: 10, y: 15, w: 1, h: 1 }),
      ],
    }));
    expect(p.tables).toEqual<SyncTable[]>([
      { id: 'r1', label: 'R1', capacity: 8, shape: 'round', x: 4.1, y: 4.1, w: 1.8, h: 1.8 },
      { id: 'b1', label: 'B1', capacity: 12, shape: 'rect', x: 12, y: 7.5, w: 6, h: 1 },
      { id: 'b2', label: 'B2', capacity: 8, shape: 'rect', x: 24.5, y: 7, w: 1, h: 6 },
      { id: 'q1', label: 'Table 4', capacity: 4, shape: 'rect', x: 9.5, y: 14.5, w: 1, h: 1 },
    ]);
  });

  it('rounds every number to the millimetre, so the same drawing always stores the same JSON', () => {
    const p = projectLayout(layout({
      width: 30.00049,
      doors: [{ id: 'd1', label: 'Main', x: 1 / 3, y: 2 / 3 }],
      walls: [{ id: 'w', points: [{ x: 0.1 + 0.2, y: 0 }, { x: 1e-9, y: -1e-9 }] }],
      tables: [table({ id: 't', x: 1 / 3 + 1, y: 7 / 3, w: 1.0004, h: 0.9996 })],
    }));
    expect(p.floor_plan.width).toBe(30);
    expect(p.floor_plan.doors[0]).toEqual({ id: 'd1', label: 'Main', x: 0.333, y: 0.667 });
    expect(p.floor_plan.walls[0]).toEqual({ x1: 0.3, y1: 0, x2: 0, y2: 0 });
    expect(Object.is(p.floor_plan.walls[0]!.y2, -0)).toBe(false);
    expect(p.tables[0]).toMatchObject({ x: 0.833, y: 1.834, w: 1, h: 1 });
  });

  it('projects only what the v1 contract knows: the output validates against its schemas', () => {
    const l = layout({
      walls: [{ id: 'w', points: [{ x: 0, y: 0 }, { x: 30, y: 0 }] }],
      doors: [{ id: 'd1', label: 'North', x: 15, y: 0.5 }],
      zones: [{ id: 'z', label: 'Lounge', x: 5, y: 5, w: 4, h: 4, rotation: 0 }],
      obstacles: [obstacle({ id: 's', rotation: 15 })],
      tables: [table({ id: 't1', shape: 'banquet', rotation: 15, tags: ['vip'] }), table({ id: 't2', shape: 'round', x: 20 })],
      labels: [{ id: 'l', text: 'Garden', x: 3, y: 3, size: 1, rotation: 0 }],
      background: { image_id: 'img', x: 0, y: 0, m_per_px: 0.01, opacity: 0.5, width_px: 3000, height_px: 2000 },
    });
    const p = projectLayout(l);
    expect(validPlan(p.floor_plan), JSON.stringify(validPlan.errors)).toBe(true);
    for (const t of p.tables) expect(validTable(t), JSON.stringify(validTable.errors)).toBe(true);
    // A stray field (zones, tags, rotation) would be refused by a kiosk that validates strictly.
    expect(validTable({ ...p.tables[0], rotation: 15 })).toBe(false);
  });
});

describe('layoutFromSync', () => {
  const plan: SyncFloorPlan = {
    width: 40,
    height: 25,
    walls: [{ x1: 0, y1: 0, x2: 40, y2: 0 }, { x1: 20, y1: 0, x2: 20, y2: 10 }],
    obstacles: [{ x: 2, y: 2, w: 6, h: 3 }],
    doors: [{ id: 'main', label: 'Main door', x: 1, y: 12 }, { id: 'side', label: 'Side', x: 39, y: 12 }],
  };
  const tables: (SyncTable & { tags?: string[] })[] = [
    { id: 't1', label: '1', capacity: 10, shape: 'round', x: 10, y: 14, w: 1.8, h: 1.8, tags: ['accessible'] },
    { id: 't2', label: '2', capacity: 6, shape: 'rect', x: 25, y: 14, w: 2.4, h: 1 },
  ];

  it('makes a valid layout: each segment its own wall, obstacles as centred rects, tables centred with their tags', () => {
    const l = layoutFromSync(plan, tables);
    expect(validLayout(l), JSON.stringify(validLayout.errors)).toBe(true);
    expect(l).toMatchObject({ format: 1, width: 40, height: 25, grid: 0.5, zones: [], labels: [], background: null });
    expect(l.walls).toEqual([
      { id: 'wall-1', points: [{ x: 0, y: 0 }, { x: 40, y: 0 }] },
      { id: 'wall-2', points: [{ x: 20, y: 0 }, { x: 20, y: 10 }] },
    ]);
    expect(l.obstacles).toEqual([{ id: 'obstacle-1', kind: 'other', label: '', shape: 'rect', x: 5, y: 3.5, w: 6, h: 3, rotation: 0 }]);
    expect(l.doors).toEqual(plan.doors);
    expect(l.tables[0]).toEqual({ id: 't1', label: '1', shape: 'round', capacity: 10, x: 10.9, y: 14.9, w: 1.8, h: 1.8, rotation: 0, tags: ['accessible'] });
    expect(l.tables[1]).toMatchObject({ id: 't2', x: 26.2, y: 14.5, tags: [] });
  });

  it('round-trips: projecting the layout gives back the plan and the tables', () => {
    const p = projectLayout(layoutFromSync(plan, tables));
    expect(p.floor_plan).toEqual(plan);
    expect(p.tables).toEqual(tables.map(({ tags: _tags, ...t }) => t));
  });

  it('without a plan, sizes the room to the tables plus a 2 m margin, never under 10 × 10 m', () => {
    const far = layoutFromSync(null, [{ id: 't', label: 'T', capacity: 8, shape: 'rect', x: 30, y: 12, w: 2, h: 1 }]);
    expect(far).toMatchObject({ width: 34, height: 15, walls: [], doors: [], obstacles: [] });
    expect(validLayout(far)).toBe(true);
    expect(layoutFromSync(null, [])).toMatchObject({ width: 10, height: 10, tables: [] });
    expect(layoutFromSync(null, [{ id: 't', label: 'T', capacity: 4, shape: 'round', x: 1, y: 1, w: 1, h: 1 }])).toMatchObject({ width: 10, height: 10 });
  });
});
