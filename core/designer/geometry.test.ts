import { describe, expect, it } from 'vitest';
import {
  alignElements, boxBounds, CHAIR_OFFSET, chairPositions, corners, deleteElements, distanceToSegment, distributeElements,
  duplicateElements, elementBounds, elementsInRect, hitTest, moveElements, normalizeAngle, pointInBox, renumberTables,
  rotateElements, rotatePoint, scaleFromTwoPoints, selectionBounds, snap, snapAngle, snapPoint, tableBox,
  type AlignEdge, type Box, type Chair, type ElementRef, type Rect,
} from './geometry';
import {
  emptyLayout, type Layout, type LayoutDoor, type LayoutLabel, type LayoutObstacle, type LayoutTable, type LayoutWall,
  type LayoutZone, type TableShape,
} from './layout';

const table = (id: string, x: number, y: number, over: Partial<LayoutTable> = {}): LayoutTable => ({
  id, label: id, shape: 'rect', capacity: 4, x, y, w: 1, h: 1, rotation: 0, tags: [], ...over,
});
const zone = (id: string, x: number, y: number, w: number, h: number, rotation = 0): LayoutZone => ({ id, label: id, x, y, w, h, rotation });
const obstacle = (id: string, x: number, y: number, w: number, h: number, over: Partial<LayoutObstacle> = {}): LayoutObstacle => ({
  id, kind: 'bar', label: id, shape: 'rect', x, y, w, h, rotation: 0, ...over,
});
const door = (id: string, x: number, y: number): LayoutDoor => ({ id, label: id, x, y });
const label = (id: string, x: number, y: number, text = 'Hi', size = 1, rotation = 0): LayoutLabel => ({ id, text, x, y, size, rotation });
const wall = (id: string, ...pts: Array<[number, number]>): LayoutWall => ({ id, points: pts.map(([x, y]) => ({ x, y })) });

function layoutOf(parts: Partial<Pick<Layout, 'walls' | 'doors' | 'zones' | 'obstacles' | 'tables' | 'labels'>>): Layout {
  return { ...emptyLayout(), ...parts };
}

/** Frozen all the way down: an edit that writes into its input throws (ES modules are strict). */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
/** A frozen layout and a deep copy of it, to check the input is the same after an edit. */
function frozen(l: Layout): { l: Layout; before: Layout } {
  return { before: structuredClone(l), l: deepFreeze(l) };
}

const close = (a: number, b: number, eps = 1e-6): boolean => Math.abs(a - b) <= eps;
const expectRect = (r: Rect | null, x: number, y: number, w: number, h: number): void => {
  expect(r).not.toBeNull();
  expect([r!.x, r!.y, r!.w, r!.h].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([x, y, w, h]);
};
const T = (id: string): ElementRef => ({ kind: 'tables', id });

describe('snap', () => {
  it.each([
    [0.24, 0.5, 0], [0.25, 0.5, 0.5], [0.26, 0.5, 0.5], [0.75, 0.5, 1], [-0.24, 0.5, 0], [-0.25, 0.5, -0.5], [-0.75, 0.5, -1],
    [-1.3, 0.5, -1.5], [2.5, 1, 3], [-2.5, 1, -3], [3.5, 1, 4], [0.15, 0.1, 0.2], [0.3, 0.1, 0.3], [0.7, 0.1, 0.7],
    [1.23, 0, 1.23], [7.49, 0.25, 7.5], [10000, 0.5, 10000], [-10000, 0.5, -10000],
  ])('snap(%d, %d) = %d', (v, step, want) => {
    expect(snap(v, step)).toBe(want);
  });

  it('never gives -0 (a value near zero from below snaps to 0)', () => {
    expect(Object.is(snap(-0.1, 0.5), 0)).toBe(true);
    expect(Object.is(snap(-0, 0.5), 0)).toBe(true);
  });

  it('snaps both coordinates of a point', () => {
    expect(snapPoint({ x: 1.26, y: -0.74 }, 0.5)).toEqual({ x: 1.5, y: -0.5 });
    expect(snapPoint({ x: 1.26, y: -0.74 }, 0)).toEqual({ x: 1.26, y: -0.74 });
  });
});

describe('angles', () => {
  it.each([
    [7, 15, 0], [8, 15, 15], [-8, 15, 345], [7.5, 15, 15], [-7.5, 15, 0], [352.5, 15, 0], [352.4, 15, 345], [359.9999999, 15, 0],
    [360, 15, 0], [750, 15, 30], [-360, 15, 0], [44, 45, 45], [22, 45, 0], [-100, 90, 270], [12.3, 0, 12.3], [-12.3, 0, 347.7],
  ])('snapAngle(%d, %d) = %d', (deg, step, want) => {
    expect(snapAngle(deg, step)).toBe(want);
  });

  it('snapAngle steps 15° by default', () => {
    expect([snapAngle(7), snapAngle(8), snapAngle(-8), snapAngle(100)]).toEqual([0, 15, 345, 105]);
  });

  it.each([
    [0, 0], [360, 0], [720, 0], [-90, 270], [725, 5], [-725, 355], [359.5, 359.5], [359.9999999999, 0], [-1e-12, 0], [1e-12, 0],
    [0.1 + 0.2, 0.3], [90.00000000001, 90],
  ])('normalizeAngle(%d) = %d', (deg, want) => {
    expect(normalizeAngle(deg)).toBe(want);
  });

  it('normalizeAngle never returns 360 or -0', () => {
    for (let d = -1000; d <= 1000; d += 0.5) {
      const a = normalizeAngle(d - 1e-11);
      expect(a >= 0 && a < 360).toBe(true);
      expect(Object.is(a, -0)).toBe(false);
    }
    expect(Object.is(normalizeAngle(-0), 0)).toBe(true);
    expect(Object.is(normalizeAngle(-360), 0)).toBe(true);
  });

  it('refuses a non-finite angle', () => {
    expect(() => normalizeAngle(Number.NaN)).toThrow(RangeError);
    expect(() => normalizeAngle(Infinity)).toThrow(RangeError);
  });

  it.each([
    // Clockwise on screen (y down): right turns to down.
    [90, 0, 1], [180, -1, 0], [270, 0, -1], [-90, 0, -1], [360, 1, 0], [45, Math.SQRT1_2, Math.SQRT1_2], [-45, Math.SQRT1_2, -Math.SQRT1_2],
  ])('rotatePoint((1, 0) about the origin, %d°) = (%d, %d)', (deg, x, y) => {
    const p = rotatePoint({ x: 1, y: 0 }, { x: 0, y: 0 }, deg);
    expect(close(p.x, x) && close(p.y, y)).toBe(true);
  });

  it('quarter turns are exact (no cos 90° noise), about any centre', () => {
    expect(rotatePoint({ x: 3, y: 2 }, { x: 2, y: 2 }, 90)).toEqual({ x: 2, y: 3 });
    expect(rotatePoint({ x: 0.1, y: 0.2 }, { x: 0.3, y: 0.3 }, 180)).toEqual({ x: 0.5, y: 0.4 });
  });
});

describe('boxes', () => {
  it('lists corners clockwise from the top-left before rotation, turned with the box', () => {
    expect(corners({ x: 0, y: 0, w: 2, h: 1, rotation: 0 })).toEqual([{ x: -1, y: -0.5 }, { x: 1, y: -0.5 }, { x: 1, y: 0.5 }, { x: -1, y: 0.5 }]);
    // A quarter turn clockwise: the top-left corner goes to the top-right of the turned box.
    expect(corners({ x: 0, y: 0, w: 2, h: 1, rotation: 90 })).toEqual([{ x: 0.5, y: -1 }, { x: 0.5, y: 1 }, { x: -0.5, y: 1 }, { x: -0.5, y: -1 }]);
  });

  it.each<[string, Box, boolean, [number, number, number, number]]>([
    ['unrotated', { x: 5, y: 5, w: 2, h: 1, rotation: 0 }, false, [4, 4.5, 2, 1]],
    ['a quarter turn swaps w and h', { x: 5, y: 5, w: 2, h: 1, rotation: 90 }, false, [4.5, 4, 1, 2]],
    ['half a turn', { x: 5, y: 5, w: 2, h: 1, rotation: 180 }, false, [4, 4.5, 2, 1]],
    ['45° grows to (w + h)/√2 each way', { x: 0, y: 0, w: 2, h: 1, rotation: 45 }, false, [-1.06066, -1.06066, 2.12132, 2.12132]],
    ['30°', { x: 5, y: 5, w: 2, h: 1, rotation: 30 }, false, [3.883975, 4.066987, 2.232051, 1.866025]],
    ['an ellipse turned 45° is tighter than its box', { x: 0, y: 0, w: 2, h: 1, rotation: 45 }, true, [-0.790569, -0.790569, 1.581139, 1.581139]],
    ['an ellipse turned 90°', { x: 0, y: 0, w: 2, h: 1, rotation: 90 }, true, [-0.5, -1, 1, 2]],
    ['a circle whatever its rotation', { x: 1, y: 1, w: 2, h: 2, rotation: 33 }, true, [0, 0, 2, 2]],
  ])('boxBounds: %s', (_name, b, round, [x, y, w, h]) => {
    expectRect(boxBounds(b, round), x, y, w, h);
  });

  it('a rotated table’s bounds contain all four of its corners', () => {
    const b: Box = { x: 3, y: 4, w: 2.5, h: 0.8, rotation: 17 };
    const r = boxBounds(b);
    for (const c of corners(b)) {
      expect(c.x >= r.x - 1e-9 && c.x <= r.x + r.w + 1e-9 && c.y >= r.y - 1e-9 && c.y <= r.y + r.h + 1e-9).toBe(true);
    }
    // And touch the extremes: the bounds are no bigger than needed.
    expect(close(Math.min(...corners(b).map((c) => c.x)), r.x)).toBe(true);
    expect(close(Math.max(...corners(b).map((c) => c.y)), r.y + r.h)).toBe(true);
  });

  describe('pointInBox on a rotated rect (4 × 2 at (10, 10), turned 30°)', () => {
    const b: Box = { x: 10, y: 10, w: 4, h: 2, rotation: 30 };
    const centre = { x: 10, y: 10 };
    // A point on the line from the centre through a corner, at `f` times the corner's distance.
    const along = (corner: number, f: number) => {
      const c = corners(b)[corner]!;
      return { x: centre.x + (c.x - centre.x) * f, y: centre.y + (c.y - centre.y) * f };
    };
    it.each([0, 1, 2, 3])('corner %i: just inside hits, just outside misses', (i) => {
      expect(pointInBox(along(i, 0.99), b)).toBe(true);
      expect(pointInBox(along(i, 1.01), b)).toBe(false);
    });
    it('the unrotated box’s corner is outside once turned, and a point the turn brought in is inside', () => {
      expect(pointInBox({ x: 11.9, y: 9.1 }, { ...b, rotation: 0 })).toBe(true);
      expect(pointInBox({ x: 11.9, y: 9.1 }, b)).toBe(false);
      const turnedIn = rotatePoint({ x: 11.9, y: 9.1 }, centre, 30);
      expect(pointInBox(turnedIn, b)).toBe(true);
    });
    it('the round test uses the inscribed ellipse: the box corner region misses', () => {
      expect(pointInBox(along(1, 0.9), b, true)).toBe(false);
      expect(pointInBox(along(1, 0.9), b, false)).toBe(true);
      // The end of the long axis, turned with the box.
      expect(pointInBox(rotatePoint({ x: 11.99, y: 10 }, centre, 30), b, true)).toBe(true);
      expect(pointInBox(rotatePoint({ x: 12.01, y: 10 }, centre, 30), b, true)).toBe(false);
    });
  });

  it('distanceToSegment measures to the nearest point of the segment, ends included', () => {
    expect(distanceToSegment({ x: 1, y: 1 }, { x: 0, y: 0 }, { x: 2, y: 0 })).toBe(1);
    expect(distanceToSegment({ x: 5, y: 4 }, { x: 0, y: 0 }, { x: 2, y: 0 })).toBe(5);
    expect(distanceToSegment({ x: 3, y: 4 }, { x: 0, y: 0 }, { x: 0, y: 0 })).toBe(5);
  });
});

describe('elementBounds', () => {
  const l = layoutOf({
    tables: [table('r', 5, 5, { shape: 'round', w: 2, h: 1, rotation: 40 }), table('q', 5, 5, { w: 2, h: 1, rotation: 90 })],
    labels: [label('lab', 10, 10, 'ABCD', 1), label('rot', 10, 10, 'ABCD', 1, 90)],
    doors: [door('d', 3, 4)],
    walls: [wall('w', [0, 0], [4, 1], [2, 3])],
    zones: [zone('z', 1, 1, 2, 2, 45)],
    obstacles: [obstacle('o', 0, 0, 2, 1, { shape: 'round', rotation: 90 })],
  });
  it.each<[string, ElementRef, [number, number, number, number]]>([
    ['a round table is a circle of diameter w (h ignored)', T('r'), [4, 4, 2, 2]],
    ['a rect table turned a quarter', T('q'), [4.5, 4, 1, 2]],
    ['a label: 0.6 × size per character wide, size tall, centred', { kind: 'labels', id: 'lab' }, [8.8, 9.5, 2.4, 1]],
    ['a turned label', { kind: 'labels', id: 'rot' }, [9.5, 8.8, 1, 2.4]],
    ['a door is a point', { kind: 'doors', id: 'd' }, [3, 4, 0, 0]],
    ['a wall: the bounds of its points', { kind: 'walls', id: 'w' }, [0, 0, 4, 3]],
    ['a turned zone', { kind: 'zones', id: 'z' }, [1 - Math.SQRT2, 1 - Math.SQRT2, 2 * Math.SQRT2, 2 * Math.SQRT2].map((v) => Math.round(v * 1e6) / 1e6) as [number, number, number, number]],
    ['a round obstacle: its ellipse', { kind: 'obstacles', id: 'o' }, [-0.5, -1, 1, 2]],
  ])('%s', (_name, ref, [x, y, w, h]) => {
    expectRect(elementBounds(l, ref), x, y, w, h);
  });
  it('null for an element that is not there', () => {
    expect(elementBounds(l, T('nope'))).toBeNull();
    expect(elementBounds(l, { kind: 'doors', id: 'r' })).toBeNull();
  });
  it('selectionBounds joins them and ignores missing ones', () => {
    expectRect(selectionBounds(l, [{ kind: 'doors', id: 'd' }, { kind: 'walls', id: 'w' }, T('nope')]), 0, 0, 4, 4);
    expect(selectionBounds(l, [T('nope')])).toBeNull();
  });
});

describe('hitTest', () => {
  // Every kind under the point (5, 5).
  const full = layoutOf({
    zones: [zone('z', 5, 5, 10, 10)],
    walls: [wall('w', [0, 5], [10, 5])],
    obstacles: [obstacle('o', 5, 5, 2, 2)],
    tables: [table('t', 5, 5)],
    doors: [door('d', 5, 5)],
    labels: [label('l', 5, 5)],
  });
  it('takes the topmost kind first: labels, doors, tables, obstacles, walls, zones', () => {
    const order: string[] = [];
    let l = full;
    for (;;) {
      const hit = hitTest(l, { x: 5, y: 5 });
      if (!hit) break;
      order.push(`${hit.kind}:${hit.id}`);
      l = deleteElements(l, [hit]);
    }
    expect(order).toEqual(['labels:l', 'doors:d', 'tables:t', 'obstacles:o', 'walls:w', 'zones:z']);
  });

  it('within a kind, the later element is on top', () => {
    const l = layoutOf({ tables: [table('under', 5, 5, { w: 2, h: 2 }), table('over', 5.5, 5)] });
    expect(hitTest(l, { x: 5.2, y: 5 })).toEqual(T('over'));
    expect(hitTest(l, { x: 4.2, y: 5 })).toEqual(T('under'));
  });

  it.each<[string, Layout, { x: number; y: number }, ElementRef | null]>([
    ['nothing there', layoutOf({}), { x: 1, y: 1 }, null],
    ['a door within 0.5 m', layoutOf({ doors: [door('d', 0, 0)] }), { x: 0.3, y: 0.39 }, { kind: 'doors', id: 'd' }],
    ['a door just beyond 0.5 m', layoutOf({ doors: [door('d', 0, 0)] }), { x: 0.3, y: 0.41 }, null],
    ['a wall within 0.3 m', layoutOf({ walls: [wall('w', [0, 0], [10, 0], [10, 10])] }), { x: 9.71, y: 5 }, { kind: 'walls', id: 'w' }],
    ['a wall just beyond 0.3 m', layoutOf({ walls: [wall('w', [0, 0], [10, 0], [10, 10])] }), { x: 9.69, y: 5 }, null],
    ['past a wall’s end', layoutOf({ walls: [wall('w', [0, 0], [10, 0])] }), { x: 10.25, y: 0.2 }, null],
    ['inside a rotated rect table’s corner', layoutOf({ tables: [table('t', 0, 0, { w: 4, h: 2, rotation: 90 })] }), { x: 0.95, y: 1.95 }, T('t')],
    ['outside it (inside it unrotated)', layoutOf({ tables: [table('t', 0, 0, { w: 4, h: 2, rotation: 90 })] }), { x: 1.95, y: 0.95 }, null],
    ['a round table’s circle', layoutOf({ tables: [table('t', 0, 0, { shape: 'round', w: 2, h: 2 })] }), { x: 0.99, y: 0 }, T('t')],
    ['a round table misses its bounding square’s corner', layoutOf({ tables: [table('t', 0, 0, { shape: 'round', w: 2, h: 2 })] }), { x: 0.9, y: 0.9 }, null],
    ['a round table is a circle of diameter w, whatever h', layoutOf({ tables: [table('t', 0, 0, { shape: 'round', w: 2, h: 0.5 })] }), { x: 0, y: 0.9 }, T('t')],
    ['a round obstacle’s ellipse', layoutOf({ obstacles: [obstacle('o', 0, 0, 4, 2, { shape: 'round' })] }), { x: 1.9, y: 0.5 }, null],
    ['a label’s text box', layoutOf({ labels: [label('l', 0, 0, 'Stage', 1)] }), { x: 1.4, y: 0.4 }, { kind: 'labels', id: 'l' }],
    ['beyond a label’s text', layoutOf({ labels: [label('l', 0, 0, 'Stage', 1)] }), { x: 1.6, y: 0 }, null],
    ['a zone', layoutOf({ zones: [zone('z', 0, 0, 4, 4, 45)] }), { x: 0, y: 2.7 }, { kind: 'zones', id: 'z' }],
  ])('%s', (_name, l, p, want) => {
    expect(hitTest(l, p)).toEqual(want);
  });

  it('a wider tolerance reaches a wall further off', () => {
    const l = layoutOf({ walls: [wall('w', [0, 0], [10, 0])] });
    expect(hitTest(l, { x: 5, y: 0.8 })).toBeNull();
    expect(hitTest(l, { x: 5, y: 0.8 }, 1)).toEqual({ kind: 'walls', id: 'w' });
  });
});

describe('elementsInRect', () => {
  const l = layoutOf({
    tables: [table('in', 2, 2), table('half', 5, 2, { w: 2 }), table('turned', 2, 4, { w: 2.8, h: 0.4, rotation: 45 })],
    doors: [door('d', 1, 1), door('far', 9, 9)],
    walls: [wall('w', [0.5, 0.5], [3, 0.5]), wall('long', [0.5, 3], [8, 3])],
    labels: [label('l', 2, 5, 'A', 0.5)],
  });
  it('selects only what lies wholly inside, by axis-aligned bounds', () => {
    // The turned table's centre and length fit, its turned bounds (about 2.26 m square) do not.
    expect(elementsInRect(l, { x: 0, y: 0, w: 5, h: 5 })).toEqual([
      { kind: 'walls', id: 'w' }, { kind: 'doors', id: 'd' }, T('in'),
    ]);
    expect(elementsInRect(l, { x: 0, y: 0, w: 6.1, h: 6 }).map((r) => r.id)).toEqual(['w', 'd', 'in', 'half', 'turned', 'l']);
  });
  it('a marquee dragged up and left is the same rectangle', () => {
    expect(elementsInRect(l, { x: 5, y: 5, w: -5, h: -5 })).toEqual(elementsInRect(l, { x: 0, y: 0, w: 5, h: 5 }));
  });
  it('an element exactly on the marquee edge is inside', () => {
    expect(elementsInRect(l, { x: 1.5, y: 1.5, w: 1, h: 1 })).toEqual([T('in')]);
    expect(elementsInRect(l, { x: 1.51, y: 1.5, w: 1, h: 1 })).toEqual([]);
  });
});

describe('chairPositions', () => {
  /** Where a chair sits in the table's own frame (rotation undone), relative to its centre. */
  const local = (t: LayoutTable, c: Chair) => {
    const p = rotatePoint(c, t, -t.rotation);
    return { x: p.x - t.x, y: p.y - t.y };
  };
  /** Which side of a rect table a chair is on: 0 top, 1 right, 2 bottom, 3 left. */
  const side = (t: LayoutTable, c: Chair): number => {
    const p = local(t, c);
    if (close(p.y, -t.h / 2 - CHAIR_OFFSET)) return 0;
    if (close(p.x, t.w / 2 + CHAIR_OFFSET)) return 1;
    if (close(p.y, t.h / 2 + CHAIR_OFFSET)) return 2;
    if (close(p.x, -t.w / 2 - CHAIR_OFFSET)) return 3;
    return -1;
  };
  const perSide = (t: LayoutTable) => {
    const counts = [0, 0, 0, 0];
    for (const c of chairPositions(t)) counts[side(t, c)]!++;
    return counts;
  };
  const facingVector = (c: Chair) => ({ x: Math.cos((c.facing * Math.PI) / 180), y: Math.sin((c.facing * Math.PI) / 180) });

  const shapes: Array<[TableShape, Partial<LayoutTable>]> = [
    ['round', { w: 1.8, h: 1.8 }], ['rect', { w: 2, h: 1.2 }], ['banquet', { w: 4, h: 1 }], ['banquet', { w: 0.9, h: 3 }],
  ];
  const rotations = [0, 30, 90, 200];
  const cases = shapes.flatMap(([shape, size]) => rotations.flatMap((rotation) => [0, 1, 2, 3, 4, 5, 7, 8, 10, 13].map(
    (capacity) => [shape, size.w!, size.h!, rotation, capacity] as const,
  )));
  it.each(cases)('%s %d × %d turned %d°, capacity %d: that many chairs, all outside the top, facing it', (shape, w, h, rotation, capacity) => {
    const t = table('t', 7, 3, { shape, w, h, rotation, capacity });
    const chairs = chairPositions(t);
    expect(chairs).toHaveLength(capacity);
    const top = tableBox(t);
    for (const c of chairs) {
      expect(pointInBox(c, top, shape === 'round')).toBe(false);
      expect(c.facing >= 0 && c.facing < 360).toBe(true);
      // Walking along its facing, a chair reaches the table's edge after CHAIR_OFFSET m, not before.
      const f = facingVector(c);
      const step = (d: number) => ({ x: c.x + f.x * d, y: c.y + f.y * d });
      expect(pointInBox(step(CHAIR_OFFSET - 0.01), top, shape === 'round')).toBe(false);
      expect(pointInBox(step(CHAIR_OFFSET + 0.01), top, shape === 'round')).toBe(true);
      if (shape === 'round') {
        expect(close(Math.hypot(c.x - t.x, c.y - t.y), w / 2 + CHAIR_OFFSET)).toBe(true);
      } else {
        expect(side(t, c)).not.toBe(-1);
      }
    }
    // No two chairs on the same spot.
    const spots = new Set(chairs.map((c) => `${c.x.toFixed(4)},${c.y.toFixed(4)}`));
    expect(spots.size).toBe(capacity);
  });

  it('round: the first chair at the top, the rest evenly around, clockwise', () => {
    const t = table('t', 0, 0, { shape: 'round', w: 2, h: 2, capacity: 4 });
    expect(chairPositions(t)).toEqual([
      { x: 0, y: -1.45, facing: 90 }, { x: 1.45, y: 0, facing: 180 }, { x: 0, y: 1.45, facing: 270 }, { x: -1.45, y: 0, facing: 0 },
    ]);
    // Turned a quarter, the first chair is at the right, facing left.
    expect(chairPositions({ ...t, rotation: 90 })[0]).toEqual({ x: 1.45, y: 0, facing: 180 });
    const ten = chairPositions({ ...t, capacity: 10 });
    for (let i = 0; i < 10; i++) {
      const a = chairs360(ten[i]!);
      expect(close(a, 36 * i)).toBe(true);
    }
    function chairs360(c: Chair): number {
      // Clockwise angle from the top, on screen.
      return normalizeAngle((Math.atan2(c.x, -c.y) * 180) / Math.PI);
    }
  });

  it.each([
    [2, 1, 4, [1, 1, 1, 1]], [2, 1, 6, [2, 1, 2, 1]], [2, 1, 8, [3, 1, 3, 1]], [1, 1, 8, [2, 2, 2, 2]], [1, 1, 5, [2, 1, 1, 1]],
    [6, 0.5, 4, [1, 1, 1, 1]], [6, 0.5, 10, [4, 1, 4, 1]], [6, 0.5, 14, [6, 1, 6, 1]], [0.5, 6, 10, [1, 4, 1, 4]],
    [2, 1, 2, [1, 0, 1, 0]], [2, 1, 1, [1, 0, 0, 0]], [3, 3, 12, [3, 3, 3, 3]],
  ])('rect %d × %d with %d chairs: per side (top, right, bottom, left) %j', (w, h, capacity, want) => {
    expect(perSide(table('t', 0, 0, { w, h, capacity }))).toEqual(want);
    expect(perSide(table('t', 4, -2, { w, h, capacity, rotation: 110 }))).toEqual(want);
  });

  it.each([
    [4, 1, 7, [4, 0, 3, 0]], [4, 1, 8, [4, 0, 4, 0]], [4, 1, 1, [1, 0, 0, 0]], [1, 4, 5, [0, 3, 0, 2]], [2, 2, 3, [2, 0, 1, 0]],
  ])('banquet %d × %d with %d chairs: only the long sides %j', (w, h, capacity, want) => {
    expect(perSide(table('t', 0, 0, { shape: 'banquet', w, h, capacity }))).toEqual(want);
  });

  it('spaces chairs evenly along a side, each in the middle of its share', () => {
    const chairs = chairPositions(table('t', 0, 0, { shape: 'banquet', w: 3, h: 1, capacity: 6 }));
    expect(chairs.slice(0, 3)).toEqual([{ x: -1, y: -0.95, facing: 90 }, { x: 0, y: -0.95, facing: 90 }, { x: 1, y: -0.95, facing: 90 }]);
    // The bottom side runs right to left (clockwise round the table).
    expect(chairs.slice(3).map((c) => c.x)).toEqual([1, 0, -1]);
    expect(chairs.slice(3).every((c) => c.y === 0.95 && c.facing === 270)).toBe(true);
  });

  it('turns the chairs with the table', () => {
    const t = table('t', 10, 10, { w: 2, h: 1, capacity: 4, rotation: 90 });
    // The top chair (local (0, -0.95)) ends at the right of the centre, facing left towards it.
    expect(chairPositions(t)[0]).toEqual({ x: 10.95, y: 10, facing: 180 });
  });

  it('capacity 0: no chairs', () => {
    for (const shape of ['round', 'rect', 'banquet'] as const) expect(chairPositions(table('t', 0, 0, { shape, capacity: 0 }))).toEqual([]);
  });
});

describe('moveElements', () => {
  const base = () => layoutOf({
    tables: [table('a', 1, 1), table('b', 2, 2)],
    walls: [wall('w', [0, 0], [1, 0])],
    doors: [door('d', 3, 3)],
    labels: [label('l', 4, 4)],
    zones: [zone('z', 5, 5, 1, 1)],
    obstacles: [obstacle('o', 6, 6, 1, 1)],
  });
  it('moves every kind, walls point by point, without touching the input', () => {
    const { l, before } = frozen(base());
    const refs: ElementRef[] = [T('a'), { kind: 'walls', id: 'w' }, { kind: 'doors', id: 'd' }, { kind: 'labels', id: 'l' },
      { kind: 'zones', id: 'z' }, { kind: 'obstacles', id: 'o' }];
    const next = moveElements(l, refs, 0.1, -0.2);
    expect(l).toEqual(before);
    expect(next.tables.map((t) => [t.x, t.y])).toEqual([[1.1, 0.8], [2, 2]]);
    expect(next.walls[0]!.points).toEqual([{ x: 0.1, y: -0.2 }, { x: 1.1, y: -0.2 }]);
    expect([next.doors[0]!.x, next.doors[0]!.y, next.labels[0]!.x, next.zones[0]!.y, next.obstacles[0]!.x]).toEqual([3.1, 2.8, 4.1, 4.8, 6.1]);
    // The table not moved is the same object.
    expect(next.tables[1]).toBe(l.tables[1]);
  });
  it('shares arrays it did not change', () => {
    const { l } = frozen(base());
    const next = moveElements(l, [T('b')], 1, 0);
    expect(next.walls).toBe(l.walls);
    expect(next.doors).toBe(l.doors);
    expect(next.tables).not.toBe(l.tables);
  });
  it('ignores refs to elements that are not there', () => {
    const { l } = frozen(base());
    expect(moveElements(l, [T('ghost')], 1, 1).tables).toEqual(l.tables);
  });
});

describe('rotateElements', () => {
  it('one box turns about its own centre; its rotation wraps to [0, 360)', () => {
    const { l, before } = frozen(layoutOf({ tables: [table('a', 3, 4, { w: 2, rotation: 350 })], zones: [zone('z', 1, 1, 2, 1, 10)] }));
    const next = rotateElements(l, [T('a')], 20);
    expect(next.tables[0]).toMatchObject({ x: 3, y: 4, rotation: 10 });
    expect(l).toEqual(before);
    expect(rotateElements(l, [{ kind: 'zones', id: 'z' }], -30).zones[0]).toMatchObject({ x: 1, y: 1, rotation: 340 });
  });
  it('several elements turn about the centre of their joint bounds, each box turning too', () => {
    const { l } = frozen(layoutOf({
      tables: [table('a', 0.5, 0.5, { rotation: 90 }), table('b', 4.5, 0.5)],
      doors: [door('d', 2.5, 0.5)],
      labels: [label('l', 2.5, 1, 'x', 0.2, 0)],
      walls: [wall('w', [0, 0], [5, 0])],
    }));
    const refs: ElementRef[] = [T('a'), T('b'), { kind: 'doors', id: 'd' }, { kind: 'labels', id: 'l' }, { kind: 'walls', id: 'w' }];
    // Joint bounds x 0…5, y 0…1.1: centre (2.5, 0.55).
    const next = rotateElements(l, refs, 90);
    expect(next.tables[0]).toMatchObject({ x: 2.55, y: -1.45, rotation: 180 });
    expect(next.tables[1]).toMatchObject({ x: 2.55, y: 2.55, rotation: 90 });
    expect(next.doors[0]).toMatchObject({ x: 2.55, y: 0.55 });
    expect(next.labels[0]).toMatchObject({ x: 2.05, y: 0.55, rotation: 90 });
    expect(next.walls[0]!.points).toEqual([{ x: 3.05, y: -1.95 }, { x: 3.05, y: 3.05 }]);
  });
  it('one wall turns about the centre of its bounds; one label about its point; one door stays', () => {
    const { l } = frozen(layoutOf({ walls: [wall('w', [0, 0], [4, 0])], labels: [label('l', 1, 1, 'A', 1, 350)], doors: [door('d', 1, 2)] }));
    expect(rotateElements(l, [{ kind: 'walls', id: 'w' }], 90).walls[0]!.points).toEqual([{ x: 2, y: -2 }, { x: 2, y: 2 }]);
    expect(rotateElements(l, [{ kind: 'labels', id: 'l' }], 15).labels[0]).toMatchObject({ x: 1, y: 1, rotation: 5 });
    expect(rotateElements(l, [{ kind: 'doors', id: 'd' }], 90).doors[0]).toEqual(door('d', 1, 2));
  });
  it('a full turn or nothing selected leaves the layout as it is', () => {
    const { l } = frozen(layoutOf({ tables: [table('a', 1, 1)] }));
    expect(rotateElements(l, [T('a')], 360)).toBe(l);
    expect(rotateElements(l, [], 90)).toBe(l);
  });
  it('four quarter turns of a group bring every element back exactly', () => {
    const { l } = frozen(layoutOf({ tables: [table('a', 0.3, 0.7, { w: 1.3 }), table('b', 4.1, 2.9, { rotation: 45 })] }));
    let next = l;
    for (let i = 0; i < 4; i++) next = rotateElements(next, [T('a'), T('b')], 90);
    expect(next.tables).toEqual(l.tables);
  });
});

describe('alignElements', () => {
  // Three tables of different sizes; b is turned a quarter, so its bounds are 1 wide and 2 tall.
  const base = () => frozen(layoutOf({
    tables: [table('a', 1, 1, { w: 2, h: 1 }), table('b', 5, 4, { w: 2, h: 1, rotation: 90 }), table('c', 3, 8, { w: 1, h: 1 })],
  }));
  const refs = [T('a'), T('b'), T('c')];
  const boundsAll = (l: Layout) => refs.map((r) => elementBounds(l, r)!);
  it.each<[AlignEdge, (r: Rect) => number, number]>([
    ['left', (r) => r.x, 0],
    ['right', (r) => r.x + r.w, 5.5],
    ['center', (r) => r.x + r.w / 2, 2.75],
    ['top', (r) => r.y, 0.5],
    ['bottom', (r) => r.y + r.h, 8.5],
    ['middle', (r) => r.y + r.h / 2, 4.5],
  ])('%s', (edge, measure, want) => {
    const { l, before } = base();
    const next = alignElements(l, refs, edge);
    for (const r of boundsAll(next)) expect(close(measure(r), want)).toBe(true);
    expect(l).toEqual(before);
    // Only the one axis moves.
    const horizontal = ['left', 'right', 'center'].includes(edge);
    next.tables.forEach((t, i) => expect(horizontal ? t.y : t.x).toBe(horizontal ? l.tables[i]!.y : l.tables[i]!.x));
  });
  it('aligns walls and doors by their bounds too', () => {
    const { l } = frozen(layoutOf({ walls: [wall('w', [2, 0], [4, 1])], doors: [door('d', 0, 5)], tables: [table('t', 3, 3)] }));
    const next = alignElements(l, [{ kind: 'walls', id: 'w' }, { kind: 'doors', id: 'd' }, T('t')], 'right');
    expect(next.walls[0]!.points).toEqual([{ x: 2, y: 0 }, { x: 4, y: 1 }]);
    expect(next.doors[0]).toMatchObject({ x: 4, y: 5 });
    expect(next.tables[0]).toMatchObject({ x: 3.5, y: 3 });
  });
});

describe('distributeElements', () => {
  it('keeps the outermost two and makes the gaps between bounds equal (horizontal)', () => {
    // Widths 1, 2, 1 spanning 0…10: gaps (10 − 4) / 2 = 3, so the middle one starts at 4.
    const { l, before } = frozen(layoutOf({ tables: [table('c', 9.5, 0), table('b', 3, 5, { w: 2 }), table('a', 0.5, 2)] }));
    const next = distributeElements(l, [T('c'), T('a'), T('b')], 'horizontal');
    expect(next.tables.map((t) => [t.id, t.x, t.y])).toEqual([['c', 9.5, 0], ['b', 5, 5], ['a', 0.5, 2]]);
    expect(l).toEqual(before);
  });
  it('four elements vertically, mixed kinds, gaps equal', () => {
    const { l } = frozen(layoutOf({
      tables: [table('a', 0, 0.5), table('b', 3, 2.2, { h: 2 })],
      zones: [zone('z', 5, 20, 4, 4)],
      obstacles: [obstacle('o', 1, 10, 1, 3)],
    }));
    const refs: ElementRef[] = [{ kind: 'zones', id: 'z' }, T('b'), { kind: 'obstacles', id: 'o' }, T('a')];
    const next = distributeElements(l, refs, 'vertical');
    const spans = [T('a'), T('b'), { kind: 'obstacles', id: 'o' } as ElementRef, { kind: 'zones', id: 'z' } as ElementRef]
      .map((r) => elementBounds(next, r)!);
    const gaps = spans.slice(1).map((r, i) => r.y - (spans[i]!.y + spans[i]!.h));
    // 0…22 holds 1 + 2 + 3 + 4 = 10 m: three gaps of 4.
    for (const g of gaps) expect(close(g, 4)).toBe(true);
    expect(next.tables[0]).toMatchObject({ x: 0, y: 0.5 });
    expect(next.zones[0]).toMatchObject({ x: 5, y: 20 });
    expect(next.tables[1]!.x).toBe(3);
  });
  it('orders by the centre of the bounds: a wide element in the middle stays in the middle', () => {
    const { l } = frozen(layoutOf({ zones: [zone('wide', 5, 0, 12, 1)], tables: [table('a', 0, 3), table('b', 10, 3)] }));
    // Bounds: wide −1…11 (centre 5), a −0.5…0.5, b 9.5…10.5: outermost by centre are a and b; gap = (11 − 14) / 2.
    const next = distributeElements(l, [T('a'), T('b'), { kind: 'zones', id: 'wide' }], 'horizontal');
    expect(next.zones[0]!.x).toBe(5);
    expect(next.tables).toBe(l.tables);
  });
  it('fewer than three elements: unchanged', () => {
    const { l } = frozen(layoutOf({ tables: [table('a', 0, 0), table('b', 7, 0)] }));
    expect(distributeElements(l, [T('a'), T('b')], 'horizontal')).toBe(l);
    expect(distributeElements(l, [T('a'), T('b'), T('ghost')], 'horizontal')).toBe(l);
    expect(distributeElements(l, [T('a'), T('a'), T('b')], 'vertical')).toBe(l);
  });
});

describe('renumberTables', () => {
  it('numbers a jittered 3 × 3 grid in reading order, keeping ids and array order', () => {
    // Rows at y ≈ 2, 5, 8 and columns at x ≈ 2, 5, 8, each nudged by up to 0.4 m; shuffled in the array.
    const jitter: Array<[number, number]> = [[0.3, -0.3], [-0.2, 0.35], [0.1, 0.2], [-0.4, -0.1], [0.4, 0.4], [0, -0.3], [0.25, 0.1], [-0.3, -0.35], [0.2, 0.3]];
    const grid: LayoutTable[] = [];
    for (let row = 0; row < 3; row++) {
      for (let col = 0; col < 3; col++) {
        const [jx, jy] = jitter[row * 3 + col]!;
        grid.push(table(`r${row}c${col}`, 2 + 3 * col + jx, 2 + 3 * row + jy, { w: 1.5, h: 1.5, label: 'old' }));
      }
    }
    const shuffled = [4, 8, 0, 6, 2, 7, 1, 5, 3].map((i) => grid[i]!);
    const { l, before } = frozen(layoutOf({ tables: shuffled }));
    const next = renumberTables(l);
    expect(l).toEqual(before);
    expect(next.tables.map((t) => t.id)).toEqual(shuffled.map((t) => t.id));
    const byId = Object.fromEntries(next.tables.map((t) => [t.id, t.label]));
    expect(byId).toEqual({
      r0c0: '1', r0c1: '2', r0c2: '3', r1c0: '4', r1c1: '5', r1c2: '6', r2c0: '7', r2c1: '8', r2c2: '9',
    });
    // Only the labels change.
    expect(next.tables.map(({ label: _label, ...rest }) => rest)).toEqual(shuffled.map(({ label: _label, ...rest }) => rest));
  });

  it.each([
    // Tables 1 m tall: a centre less than 0.5 m below the row's first joins the row (then ordered by x).
    [0.49, ['2', '1']],
    [0.5, ['1', '2']],
    [-0.49, ['2', '1']],
  ])('a table %d m below the row’s first: labels %j', (dy, labels) => {
    const l = layoutOf({ tables: [table('first', 5, 5), table('other', 1, 5 + dy)] });
    expect(renumberTables(l).tables.map((t) => t.label)).toEqual(labels);
  });

  it('measures a row by the first table’s turned bounds', () => {
    // A 3 × 1 table turned upright is 3 m tall: a table 1.2 m lower, to its left, is in its row.
    const upright = layoutOf({ tables: [table('tall', 5, 5, { w: 3, h: 1, rotation: 90 }), table('left', 1, 6.2)] });
    expect(renumberTables(upright).tables.map((t) => t.label)).toEqual(['2', '1']);
    const flat = layoutOf({ tables: [table('tall', 5, 5, { w: 3, h: 1 }), table('left', 1, 6.2)] });
    expect(renumberTables(flat).tables.map((t) => t.label)).toEqual(['1', '2']);
  });

  it('a row is measured from its first table, not its last (no drifting staircase)', () => {
    const l = layoutOf({ tables: [0, 1, 2, 3].map((i) => table(`s${i}`, 10 - i, 5 + 0.4 * i)) });
    // s0 at y 5, s1 at 5.4 (joins), s2 at 5.8 (0.8 below s0: a new row), s3 at 6.2 (joins s2's row).
    expect(renumberTables(l).tables.map((t) => t.label)).toEqual(['2', '1', '4', '3']);
  });

  it('returns the same layout when the labels are already right', () => {
    const l = deepFreeze(layoutOf({ tables: [table('a', 0, 0, { label: '1' }), table('b', 3, 0, { label: '2' })] }));
    expect(renumberTables(l)).toBe(l);
  });
});

describe('duplicateElements', () => {
  it('copies with fresh ids, offset, on top of the originals, without touching the input', () => {
    const { l, before } = frozen(layoutOf({
      tables: [table('t1', 1, 1, { tags: ['vip'] }), table('t2', 5, 5)],
      walls: [wall('w1', [0, 0], [2, 0])],
      doors: [door('d1', 3, 3)],
    }));
    let n = 0;
    const ids: string[] = [];
    const newId = (kind: string) => {
      const id = `${kind}-new-${++n}`;
      ids.push(id);
      return id;
    };
    const out = duplicateElements(l, [T('t1'), { kind: 'walls', id: 'w1' }, T('ghost'), T('t1')], 0.5, 0.5, newId);
    expect(l).toEqual(before);
    expect(out.refs).toEqual([T('tables-new-1'), { kind: 'walls', id: 'walls-new-2' }]);
    expect(ids).toHaveLength(2);
    expect(out.layout.tables.map((t) => t.id)).toEqual(['t1', 't2', 'tables-new-1']);
    const copy = out.layout.tables[2]!;
    expect(copy).toMatchObject({ x: 1.5, y: 1.5, label: 't1', tags: ['vip'], capacity: 4 });
    expect(copy.tags).not.toBe(l.tables[0]!.tags);
    expect(out.layout.walls[1]!.points).toEqual([{ x: 0.5, y: 0.5 }, { x: 2.5, y: 0.5 }]);
    expect(out.layout.walls[1]!.points[0]).not.toBe(l.walls[0]!.points[0]);
    expect(out.layout.doors).toBe(l.doors);
    // Every id in the result is unique.
    const all = [...out.layout.tables, ...out.layout.walls, ...out.layout.doors].map((e) => e.id);
    expect(new Set(all).size).toBe(all.length);
  });
  it('nothing to copy: the same layout and no refs', () => {
    const { l } = frozen(layoutOf({ tables: [table('a', 0, 0)] }));
    const out = duplicateElements(l, [T('ghost')], 1, 1, () => 'x');
    expect(out.layout).toBe(l);
    expect(out.refs).toEqual([]);
  });
});

describe('deleteElements', () => {
  it('removes the elements and shares the rest', () => {
    const { l, before } = frozen(layoutOf({ tables: [table('a', 0, 0), table('b', 1, 1), table('c', 2, 2)], doors: [door('d', 0, 0)] }));
    const next = deleteElements(l, [T('a'), T('c'), { kind: 'doors', id: 'nope' }]);
    expect(next.tables.map((t) => t.id)).toEqual(['b']);
    expect(next.tables[0]).toBe(l.tables[1]);
    expect(next.doors).toBe(l.doors);
    expect(l).toEqual(before);
  });
  it('only the kind named: a door and a table may share an id', () => {
    const { l } = frozen(layoutOf({ tables: [table('x', 0, 0)], doors: [door('x', 0, 0)] }));
    const next = deleteElements(l, [{ kind: 'doors', id: 'x' }]);
    expect([next.tables.length, next.doors.length]).toEqual([1, 0]);
  });
  it('nothing matched: the same layout', () => {
    const { l } = frozen(layoutOf({ tables: [table('a', 0, 0)] }));
    expect(deleteElements(l, [T('zzz')])).toBe(l);
  });
});

describe('scaleFromTwoPoints', () => {
  it.each([
    [{ x: 0, y: 0 }, { x: 100, y: 0 }, 5, 0.05],
    [{ x: 10, y: 10 }, { x: 13, y: 14 }, 10, 2],
    [{ x: 200, y: 50 }, { x: 200, y: 850 }, 20, 0.025],
  ])('%j → %j over %d m', (a, b, metres, want) => {
    expect(scaleFromTwoPoints(a, b, metres)).toBeCloseTo(want, 12);
  });
  it('refuses points that coincide', () => {
    expect(() => scaleFromTwoPoints({ x: 3, y: 3 }, { x: 3, y: 3 }, 5)).toThrow(RangeError);
    expect(() => scaleFromTwoPoints({ x: 3, y: 3 }, { x: 3, y: 3 }, 5)).toThrow(/same/);
  });
  it.each([0, -2, Number.NaN])('refuses a distance of %d m', (metres) => {
    expect(() => scaleFromTwoPoints({ x: 0, y: 0 }, { x: 10, y: 0 }, metres)).toThrow(RangeError);
    expect(() => scaleFromTwoPoints({ x: 0, y: 0 }, { x: 10, y: 0 }, metres)).toThrow(/more than 0 metres/);
  });
});
