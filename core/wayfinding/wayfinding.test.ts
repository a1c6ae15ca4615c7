import { describe, expect, it } from 'vitest';
import type { SyncFloorPlan, SyncTable } from '../contract/contract';
import { sampleFloor } from '../../kiosk/sample-floor';
import { buildDoorField, buildWalkGrid, doorRegions, findRoute, regionsReachTable, routeFromField, routeOnGrid, walkRegions, type Point } from './wayfinding';

const table = (id: string, x: number, y: number, w = 2, h = 2): SyncTable => ({ id, label: id.toUpperCase(), capacity: 8, shape: 'round', x, y, w, h });

function plan(over: Partial<SyncFloorPlan> = {}): SyncFloorPlan {
  return { width: 20, height: 20, walls: [], obstacles: [], doors: [{ id: 'd1', label: 'Main door', x: 1, y: 10 }], ...over };
}

/** Does the straight segment a→b pass through the rectangle (sampled finely)? */
function crossesRect(a: Point, b: Point, r: { x: number; y: number; w: number; h: number }): boolean {
  for (let i = 0; i <= 400; i++) {
    const x = a.x + ((b.x - a.x) * i) / 400;
    const y = a.y + ((b.y - a.y) * i) / 400;
    if (x > r.x && x < r.x + r.w && y > r.y && y < r.y + r.h) return true;
  }
  return false;
}

function crossesSegment(a: Point, b: Point, s: { x1: number; y1: number; x2: number; y2: number }): boolean {
  const o = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  const c: Point = { x: s.x1, y: s.y1 };
  const d: Point = { x: s.x2, y: s.y2 };
  return o(a, b, c) !== o(a, b, d) && o(c, d, a) !== o(c, d, b);
}

const distToRect = (p: Point, r: { x: number; y: number; w: number; h: number }) =>
  Math.hypot(Math.max(r.x - p.x, 0, p.x - (r.x + r.w)), Math.max(r.y - p.y, 0, p.y - (r.y + r.h)));

describe('wayfinding', () => {
  it('walks an open floor almost straight, from the door to beside the table', () => {
    const t = table('t1', 15, 9);
    const r = findRoute(plan(), [t], 'd1', 't1');
    expect(r.status).toBe('ok');
    expect(r.table?.id).toBe('t1');
    expect(r.path[0]).toEqual({ x: 1, y: 10 });
    const end = r.path[r.path.length - 1]!;
    expect(distToRect(end, t)).toBeLessThan(1.2);
    expect(distToRect(end, t)).toBeGreaterThan(0); // beside the table, not on it
    // Straight-line distance to the table edge is 14 m; smoothing keeps the walk close to it.
    expect(r.length_m).toBeGreaterThan(13);
    expect(r.length_m).toBeLessThan(14.8);
  });

  it('goes around a wall through its gap rather than through it', () => {
    const wall = { x1: 8, y1: 0, x2: 8, y2: 16 }; // gap from y=16 to y=20
    const r = findRoute(plan({ walls: [wall] }), [table('t1', 15, 9)], 'd1', 't1');
    expect(r.status).toBe('ok');
    for (let i = 1; i < r.path.length; i++) expect(crossesSegment(r.path[i - 1]!, r.path[i]!, wall)).toBe(false);
    // Must pass below the wall's end at y=16.
    expect(Math.max(...r.path.map((p) => p.y))).toBeGreaterThan(16);
    expect(r.length_m).toBeGreaterThan(16); // the straight walk would be 14 m
  });

  it('treats other tables and obstacles as blocked', () => {
    const blocker = table('t2', 6, 6, 3, 8); // squarely between door and target
    const pillar = { x: 11, y: 8, w: 1, h: 4 };
    const r = findRoute(plan({ obstacles: [pillar] }), [table('t1', 15, 9), blocker], 'd1', 't1');
    expect(r.status).toBe('ok');
    for (let i = 1; i < r.path.length; i++) {
      expect(crossesRect(r.path[i - 1]!, r.path[i]!, blocker)).toBe(false);
      expect(crossesRect(r.path[i - 1]!, r.path[i]!, pillar)).toBe(false);
    }
  });

  it('returns the table without a path when it sits in a closed room', () => {
    const room = [
      { x1: 12, y1: 6, x2: 19, y2: 6 },
      { x1: 19, y1: 6, x2: 19, y2: 14 },
      { x1: 19, y1: 14, x2: 12, y2: 14 },
      { x1: 12, y1: 14, x2: 12, y2: 6 },
    ];
    const r = findRoute(plan({ walls: room }), [table('t1', 14.5, 9)], 'd1', 't1');
    expect(r.status).toBe('no_route');
    expect(r.table?.id).toBe('t1');
    expect(r.path).toEqual([]);
  });

  it('finds the table behind a wall once the room has a door opening', () => {
    const room = [
      { x1: 12, y1: 6, x2: 19, y2: 6 },
      { x1: 19, y1: 6, x2: 19, y2: 14 },
      { x1: 19, y1: 14, x2: 12, y2: 14 },
      { x1: 12, y1: 14, x2: 12, y2: 12 }, // an opening from y=10.5 to y=12 in the west wall
      { x1: 12, y1: 10.5, x2: 12, y2: 6 },
    ];
    const r = findRoute(plan({ walls: room }), [table('t1', 15, 9)], 'd1', 't1');
    expect(r.status).toBe('ok');
    for (let i = 1; i < r.path.length; i++) for (const w of room) expect(crossesSegment(r.path[i - 1]!, r.path[i]!, w)).toBe(false);
  });

  it('never throws on an unknown table, an unknown door or a door fenced in', () => {
    expect(findRoute(plan(), [table('t1', 15, 9)], 'd1', 'nope')).toMatchObject({ status: 'unknown_table', table: null, path: [] });
    expect(findRoute(plan(), [table('t1', 15, 9)], 'nope', 't1')).toMatchObject({ status: 'unknown_door', path: [] });
    expect(findRoute(plan(), [table('t1', 15, 9)], 'd1', null)).toMatchObject({ status: 'unknown_table' });
    const fence = { x: 0, y: 7, w: 4, h: 6 }; // an obstacle over the door: no free cell in reach
    expect(findRoute(plan({ obstacles: [fence] }), [table('t1', 15, 9)], 'd1', 't1')).toMatchObject({ status: 'no_route', path: [] });
  });

  it('reuses one grid for many routes and bounds the grid size on a huge plan', () => {
    const tables = [table('a', 5, 2), table('b', 15, 15), table('c', 10, 2)];
    const g = buildWalkGrid(plan(), tables);
    for (const t of tables) expect(routeOnGrid(g, 'd1', t.id).status).toBe('ok');
    const big = buildWalkGrid(plan({ width: 2000, height: 1000 }), [], { maxCells: 50_000 });
    expect(big.cols * big.rows).toBeLessThanOrEqual(51_000);
  });

  it('a door field gives the same walks as A* (within straightening), for every table of a 200-table floor, from either door', () => {
    const { plan: hall, tables } = sampleFloor(200);
    const room = [
      { x1: 1, y1: hall.height - 5, x2: 3.8, y2: hall.height - 5 },
      { x1: 3.8, y1: hall.height - 5, x2: 3.8, y2: hall.height - 1 },
      { x1: 3.8, y1: hall.height - 1, x2: 1, y2: hall.height - 1 },
      { x1: 1, y1: hall.height - 1, x2: 1, y2: hall.height - 5 },
    ];
    const all = [...tables, table('shut', 1.5, hall.height - 4, 1.5, 1.5)];
    const g = buildWalkGrid({ ...hall, walls: [...hall.walls, ...room] }, all);
    for (const doorId of ['main', 'side']) {
      const field = buildDoorField(g, doorId);
      for (const t of all) {
        const a = routeOnGrid(g, doorId, t.id);
        const b = routeFromField(g, field, t.id);
        expect(b.status).toBe(a.status);
        // Both are shortest on the grid; among equally short cell paths they may pick different ones, and straightening
        // then differs by a little.
        expect(Math.abs(b.length_m - a.length_m)).toBeLessThanOrEqual(0.03 * a.length_m + 0.3);
      }
    }
    expect(routeFromField(g, buildDoorField(g, 'main'), 'shut')).toMatchObject({ status: 'no_route', table: { id: 'shut' }, path: [] });
    expect(buildDoorField(g, 'nope')).toBeNull();
    expect(routeFromField(g, null, 't1')).toMatchObject({ status: 'unknown_door', path: [] });
    expect(routeFromField(g, buildDoorField(g, 'main'), 'nope')).toMatchObject({ status: 'unknown_table', table: null });
  });
});

describe('walk regions', () => {
  /** A random room: walls at odd angles, obstacles and tables anywhere, some doors boxed in. */
  function randomPlan(seed: number): { plan: SyncFloorPlan; tables: SyncTable[] } {
    let a = seed;
    const rnd = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
    const walls = Array.from({ length: 8 }, () => ({ x1: rnd() * 30, y1: rnd() * 20, x2: rnd() * 30, y2: rnd() * 20 }));
    const obstacles = Array.from({ length: 4 }, () => ({ x: rnd() * 28, y: rnd() * 18, w: 1 + rnd() * 4, h: 1 + rnd() * 3 }));
    const doors = Array.from({ length: 3 }, (_, i) => ({ id: `d${i}`, label: `D${i}`, x: rnd() * 30, y: rnd() * 20 }));
    const tables = Array.from({ length: 25 }, (_, i) => table(`t${i}`, rnd() * 28, rnd() * 18, 1.2 + rnd(), 1.2 + rnd()));
    return { plan: plan({ width: 30, height: 20, walls, obstacles, doors }), tables };
  }

  it('say a table is reachable from a door exactly when the kiosk finds a route, on random rooms', () => {
    let reachable = 0;
    let unreachable = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const { plan: p, tables } = randomPlan(seed);
      const g = buildWalkGrid(p, tables);
      const regions = walkRegions(g);
      for (const d of p.doors) {
        const field = buildDoorField(g, d.id);
        const from = doorRegions(g, regions, d.id)!;
        for (const t of tables) {
          const routed = routeFromField(g, field, t.id).status === 'ok';
          expect(regionsReachTable(g, regions, from, t.id), `seed ${seed} ${d.id} → ${t.id}`).toBe(routed);
          if (routed) reachable++;
          else unreachable++;
        }
      }
    }
    // Both answers occur, so the agreement means something.
    expect(reachable).toBeGreaterThan(50);
    expect(unreachable).toBeGreaterThan(20);
  });

  it('answer null for a table or door not on the plan', () => {
    const g = buildWalkGrid(plan(), [table('a', 10, 10)]);
    const regions = walkRegions(g);
    expect(doorRegions(g, regions, 'nope')).toBeNull();
    expect(regionsReachTable(g, regions, doorRegions(g, regions, 'd1')!, 'nope')).toBeNull();
    expect(regionsReachTable(g, regions, doorRegions(g, regions, 'd1')!, 'a')).toBe(true);
  });
});
