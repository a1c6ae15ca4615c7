import { describe, expect, it } from 'vitest';
import { emptyLayout, type Layout, type LayoutObstacle, type LayoutPoint, type LayoutTable, type LayoutWall } from './layout';
import { checkReachability, doorsWithChangedRoutes, routeFor } from './reach';

const table = (id: string, x: number, y: number, over: Partial<LayoutTable> = {}): LayoutTable => ({
  id, label: id.toUpperCase(), shape: 'round', capacity: 8, x, y, w: 1.6, h: 1.6, rotation: 0, tags: [], ...over,
});
const wall = (id: string, ...pts: [number, number][]): LayoutWall => ({ id, points: pts.map(([x, y]) => ({ x, y })) });
/** A closed square of walls, `half` m either side of a centre. */
const box = (id: string, cx: number, cy: number, half: number): LayoutWall =>
  wall(id, [cx - half, cy - half], [cx + half, cy - half], [cx + half, cy + half], [cx - half, cy + half], [cx - half, cy - half]);

/** A 30 × 12 m hall walled all round, a door in the middle of each short wall, two tables. */
function hall(over: Partial<Layout> = {}): Layout {
  return {
    ...emptyLayout(30, 12),
    walls: [wall('outer', [0, 0], [30, 0], [30, 12], [0, 12], [0, 0])],
    doors: [{ id: 'west', label: 'West', x: 0, y: 6 }, { id: 'east', label: 'East', x: 30, y: 6 }],
    tables: [table('t1', 10, 6), table('t2', 20, 6)],
    ...over,
  };
}
const withWalls = (l: Layout, ...walls: LayoutWall[]): Layout => ({ ...l, walls: [...l.walls, ...walls] });
const problems = (l: Layout) => Object.fromEntries(checkReachability(l).tables.map((t) => [t.table_id, t.problem]));
const fullHeight = (id: string, x: number) => wall(id, [x, 0], [x, 12]);
const stage = (kind: LayoutObstacle['kind']): LayoutObstacle => ({ id: 'o', kind, label: '', shape: 'rect', x: 15, y: 6, w: 2, h: 12, rotation: 0 });

describe('checkReachability', () => {
  it('an open hall: every table reached from both doors, no problem, no blocked door', () => {
    const r = checkReachability(hall());
    expect(r.tables).toEqual([
      { table_id: 't1', reachable_from: ['west', 'east'], problem: null },
      { table_id: 't2', reachable_from: ['west', 'east'], problem: null },
    ]);
    expect(r.blocked_doors).toEqual([]);
  });

  it('no door drawn: every table says no_doors, and no door is blocked', () => {
    const r = checkReachability(hall({ doors: [] }));
    expect(r.tables.map((t) => [t.problem, t.reachable_from])).toEqual([['no_doors', []], ['no_doors', []]]);
    expect(r.blocked_doors).toEqual([]);
  });

  it('a wall across the hall: each table reached only from its own side (some_doors)', () => {
    const r = checkReachability(withWalls(hall(), fullHeight('split', 15)));
    expect(r.tables).toEqual([
      { table_id: 't1', reachable_from: ['west'], problem: 'some_doors' },
      { table_id: 't2', reachable_from: ['east'], problem: 'some_doors' },
    ]);
    expect(r.blocked_doors).toEqual([]);
  });

  it('a table walled in is unreachable; opening a gap in its walls fixes it', () => {
    const shut = withWalls(hall(), box('cage', 10, 6, 2));
    expect(problems(shut)).toEqual({ t1: 'unreachable', t2: null });
    // The same square with its right side left out.
    const open = withWalls(hall(), wall('cage', [12, 4], [8, 4], [8, 8], [12, 8]));
    expect(problems(open)).toEqual({ t1: null, t2: null });
  });

  it('a table whose centre is outside the room says outside_room', () => {
    expect(problems(hall({ tables: [table('t1', 10, 6), table('out', 31.5, 6), table('up', 10, -2)] }))).toEqual({ t1: null, out: 'outside_room', up: 'outside_room' });
  });

  it('a door boxed in reaches no table: it is a blocked door, and every table misses it', () => {
    const l = withWalls({ ...hall(), doors: [...hall().doors, { id: 'closet', label: 'Closet', x: 25, y: 3 }] }, box('closet-walls', 25, 3, 1.5));
    const r = checkReachability(l);
    expect(r.blocked_doors).toEqual(['closet']);
    expect(r.tables.every((t) => t.problem === 'some_doors' && !t.reachable_from.includes('closet'))).toBe(true);
  });

  it('a stage across the hall blocks the walk; a dance floor in the same place does not', () => {
    expect(problems(hall({ obstacles: [stage('stage')] }))).toEqual({ t1: 'some_doors', t2: 'some_doors' });
    expect(problems(hall({ obstacles: [stage('dance_floor')] }))).toEqual({ t1: null, t2: null });
  });

  it('no tables: nothing to report, and no door counts as blocked', () => {
    expect(checkReachability(hall({ tables: [] }))).toMatchObject({ tables: [], blocked_doors: [] });
  });

  it('measures its duration with the injected clock', () => {
    const ticks = [100, 142.5];
    expect(checkReachability(hall(), () => ticks.shift()!).duration_ms).toBe(42.5);
  });

  it('agrees with the route a kiosk computes, door by door and table by table', () => {
    const l = withWalls(
      hall({ tables: [table('t1', 10, 6), table('t2', 20, 6), table('t3', 25, 2), table('t4', 5, 10, { shape: 'banquet', w: 3, h: 1, rotation: 45 })] }),
      wall('part', [15, 0], [15, 5]), wall('part2', [15, 7], [15, 12]), box('cage', 25, 2, 1.5),
    );
    const r = checkReachability(l);
    let reached = 0;
    for (const t of r.tables) {
      for (const d of l.doors) {
        const ok = routeFor(l, d.id, t.table_id).status === 'ok';
        expect(t.reachable_from.includes(d.id), `${d.id} → ${t.table_id}`).toBe(ok);
        if (ok) reached++;
      }
    }
    expect(reached).toBe(6); // t3 is caged; the others through the gap
  });

  it('checks a 300-table, 4-door hall in one pass', () => {
    const l: Layout = { ...emptyLayout(60, 40), doors: [{ id: 'n', label: 'N', x: 30, y: 0 }, { id: 's', label: 'S', x: 30, y: 40 }, { id: 'w', label: 'W', x: 0, y: 20 }, { id: 'e', label: 'E', x: 60, y: 20 }] };
    for (let r = 0; r < 15; r++) for (let c = 0; c < 20; c++) l.tables.push(table(`t${r}-${c}`, 3 + c * 2.85, 5 + r * 2.3, { w: 1.5, h: 1.5 }));
    const rep = checkReachability(l);
    expect(rep.tables).toHaveLength(300);
    expect(rep.tables.filter((t) => t.problem !== null)).toEqual([]);
  });
});

describe('routeFor', () => {
  const gap = withWalls(hall(), wall('part', [15, 0], [15, 9]));
  const crossesX15Below9 = (a: LayoutPoint, b: LayoutPoint) => {
    if ((a.x - 15) * (b.x - 15) >= 0) return false;
    const y = a.y + ((b.y - a.y) * (15 - a.x)) / (b.x - a.x);
    return y <= 9;
  };

  it('is the route the kiosk shows: from the door point, round the wall through its gap, to beside the table', () => {
    const r = routeFor(gap, 'west', 't2');
    expect(r.status).toBe('ok');
    expect(r.path[0]).toEqual({ x: 0, y: 6 });
    const end = r.path[r.path.length - 1]!;
    expect(Math.hypot(end.x - 20, end.y - 6)).toBeLessThan(0.8 + 1.2);
    for (let i = 1; i < r.path.length; i++) expect(crossesX15Below9(r.path[i - 1]!, r.path[i]!)).toBe(false);
    expect(r.length_m).toBeGreaterThan(routeFor(hall(), 'west', 't2').length_m + 1);
  });

  it('says unknown_table and unknown_door for ids not on the plan, no_route when walled off', () => {
    expect(routeFor(hall(), 'west', 'nope').status).toBe('unknown_table');
    expect(routeFor(hall(), 'nope', 't1').status).toBe('unknown_door');
    expect(routeFor(withWalls(hall(), fullHeight('split', 15)), 'west', 't2')).toMatchObject({ status: 'no_route', path: [] });
  });
});

describe('doorsWithChangedRoutes', () => {
  it('first publish: every door changes', () => {
    expect(doorsWithChangedRoutes(null, hall())).toEqual(['west', 'east']);
  });

  it('the same layout, or one only relabelled or with a zone added: no door changes', () => {
    const l = hall();
    expect(doorsWithChangedRoutes(l, structuredClone(l))).toEqual([]);
    const relabelled = { ...l, doors: l.doors.map((d) => ({ ...d, label: `${d.label} door` })), zones: [{ id: 'z', label: 'Lounge', x: 5, y: 3, w: 4, h: 2, rotation: 0 }] };
    expect(doorsWithChangedRoutes(l, relabelled)).toEqual([]);
  });

  it('a wall cutting the west door off changes its routes only', () => {
    expect(doorsWithChangedRoutes(hall(), withWalls(hall(), fullHeight('cut', 5)))).toEqual(['west']);
  });

  it('a table moved changes the routes to it from every door', () => {
    const after = hall({ tables: [table('t1', 10, 6), table('t2', 20, 9)] });
    expect(doorsWithChangedRoutes(hall(), after)).toEqual(['west', 'east']);
  });

  it('a table added or removed changes every door', () => {
    expect(doorsWithChangedRoutes(hall(), hall({ tables: [...hall().tables, table('t3', 25, 9)] }))).toEqual(['west', 'east']);
    expect(doorsWithChangedRoutes(hall(), hall({ tables: [table('t1', 10, 6)] }))).toEqual(['west', 'east']);
  });

  it('a door removed is named; a door added is named', () => {
    const one = hall({ doors: [{ id: 'west', label: 'West', x: 0, y: 6 }] });
    expect(doorsWithChangedRoutes(hall(), one)).toEqual(['east']);
    expect(doorsWithChangedRoutes(one, hall())).toEqual(['east']);
  });

  it('a door moved along its wall is named', () => {
    const moved = hall({ doors: [{ id: 'west', label: 'West', x: 0, y: 6 }, { id: 'east', label: 'East', x: 30, y: 2 }] });
    expect(doorsWithChangedRoutes(hall(), moved)).toEqual(['east']);
  });
});
