// Wayfinding for the welcome screen: the shortest walkable route from this kiosk's door to the edge of a guest's table.
// Pure: the floor plan comes from the synced data (core/contract/contract.ts); A* runs on an occupancy grid built once per plan.
import type { SyncFloorPlan, SyncTable } from '../contract/contract';

export interface Point {
  x: number;
  y: number;
}

export interface WalkGridOptions {
  /** Preferred cell edge in metres; grown when the plan would need more than `maxCells` cells. */
  cellSize?: number;
  /** Upper bound on grid cells, which bounds the time of one search. */
  maxCells?: number;
  /** Half a walking person's width: how far a route keeps from walls, obstacles and tables, in metres. */
  clearance?: number;
}

/** An occupancy grid of one floor plan: reused for every route while the plan and tables stay the same. */
export interface WalkGrid {
  cols: number;
  rows: number;
  cell: number;
  clearance: number;
  /** 1 where a person cannot stand (wall, obstacle, table, each grown by the clearance). */
  blocked: Uint8Array;
  plan: SyncFloorPlan;
  tables: Map<string, SyncTable>;
  /** Search scratch, reused across routes: a cell's scores count only when its stamp is the current search's. */
  scratch: { g: Float64Array; f: Float64Array; from: Int32Array; stamp: Uint32Array; closed: Uint32Array; search: number };
}

export type RouteStatus = 'ok' | 'no_route' | 'unknown_table' | 'unknown_door';

export interface Route {
  status: RouteStatus;
  /** The guest's table, or null when its id is not on the plan. A failed search still returns the table so it can be drawn. */
  table: SyncTable | null;
  /** Door point first, a point beside the table's edge last; empty unless status is 'ok'. */
  path: Point[];
  /** Walking distance along `path`, in metres. */
  length_m: number;
}

const DEFAULTS = { cellSize: 0.25, maxCells: 120_000, clearance: 0.25 } as const;
/** How far from the door point the walk may begin (a door often sits on its wall line, inside a blocked cell). */
const DOOR_REACH_M = 1.5;
/** Cells this close to the table's edge count as "at the table" (the clearance keeps the route off the table itself). */
const APPROACH_EXTRA_M = 0.35;

/** The table's footprint: `x`, `y` are its top-left corner, `w`, `h` its size (a round table's diameter). */
function tableRect(t: SyncTable): { x: number; y: number; w: number; h: number } {
  return { x: t.x, y: t.y, w: t.w, h: t.h };
}

function distPointRect(px: number, py: number, r: { x: number; y: number; w: number; h: number }): number {
  const dx = Math.max(r.x - px, 0, px - (r.x + r.w));
  const dy = Math.max(r.y - py, 0, py - (r.y + r.h));
  return Math.hypot(dx, dy);
}

function distPointSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const vx = x2 - x1;
  const vy = y2 - y1;
  const len2 = vx * vx + vy * vy;
  let t = len2 === 0 ? 0 : ((px - x1) * vx + (py - y1) * vy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(px - (x1 + t * vx), py - (y1 + t * vy));
}

/** Build the occupancy grid of a plan. Every table is blocked; a route targets the free ring around one of them. */
export function buildWalkGrid(plan: SyncFloorPlan, tables: readonly SyncTable[], options: WalkGridOptions = {}): WalkGrid {
  const maxCells = options.maxCells ?? DEFAULTS.maxCells;
  const clearance = options.clearance ?? DEFAULTS.clearance;
  let cell = options.cellSize ?? DEFAULTS.cellSize;
  if ((plan.width / cell) * (plan.height / cell) > maxCells) cell = Math.sqrt((plan.width * plan.height) / maxCells);
  const cols = Math.max(1, Math.ceil(plan.width / cell));
  const rows = Math.max(1, Math.ceil(plan.height / cell));
  const blocked = new Uint8Array(cols * rows);
  // A wall blocks every cell its line crosses (centre within half a diagonal), so diagonal steps never slip through it.
  const wallReach = Math.max(clearance, cell * Math.SQRT1_2);

  const markRect = (r: { x: number; y: number; w: number; h: number }, grow: number) => {
    const c0 = Math.max(0, Math.floor((r.x - grow) / cell));
    const c1 = Math.min(cols - 1, Math.floor((r.x + r.w + grow) / cell));
    const r0 = Math.max(0, Math.floor((r.y - grow) / cell));
    const r1 = Math.min(rows - 1, Math.floor((r.y + r.h + grow) / cell));
    for (let row = r0; row <= r1; row++) {
      const cy = (row + 0.5) * cell;
      for (let col = c0; col <= c1; col++) {
        if (distPointRect((col + 0.5) * cell, cy, r) <= grow) blocked[row * cols + col] = 1;
      }
    }
  };

  for (const w of plan.walls) {
    const c0 = Math.max(0, Math.floor((Math.min(w.x1, w.x2) - wallReach) / cell));
    const c1 = Math.min(cols - 1, Math.floor((Math.max(w.x1, w.x2) + wallReach) / cell));
    const r0 = Math.max(0, Math.floor((Math.min(w.y1, w.y2) - wallReach) / cell));
    const r1 = Math.min(rows - 1, Math.floor((Math.max(w.y1, w.y2) + wallReach) / cell));
    for (let row = r0; row <= r1; row++) {
      const cy = (row + 0.5) * cell;
      for (let col = c0; col <= c1; col++) {
        if (distPointSegment((col + 0.5) * cell, cy, w.x1, w.y1, w.x2, w.y2) <= wallReach) blocked[row * cols + col] = 1;
      }
    }
  }
  for (const o of plan.obstacles) markRect(o, clearance);
  for (const t of tables) markRect(tableRect(t), clearance);

  const n = cols * rows;
  const scratch = { g: new Float64Array(n), f: new Float64Array(n), from: new Int32Array(n), stamp: new Uint32Array(n), closed: new Uint32Array(n), search: 0 };
  return { cols, rows, cell, clearance, blocked, plan, tables: new Map(tables.map((t) => [t.id, t])), scratch };
}

/** A binary min-heap of cell indices keyed by f-score: the A* open set without per-node allocation. */
class MinHeap {
  private items: number[] = [];
  constructor(private readonly key: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key[a[p]!]! <= this.key[v]!) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const k = this.key[last]!;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && this.key[a[r]!]! < this.key[a[l]!]! ? r : l;
        if (this.key[a[c]!]! >= k) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

const NEIGHBOURS: ReadonlyArray<readonly [number, number, number]> = [
  [1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1],
  [1, 1, Math.SQRT2], [1, -1, Math.SQRT2], [-1, 1, Math.SQRT2], [-1, -1, Math.SQRT2],
];

function centre(g: WalkGrid, idx: number): Point {
  return { x: ((idx % g.cols) + 0.5) * g.cell, y: (Math.floor(idx / g.cols) + 0.5) * g.cell };
}

/** True when a straight walk from a to b crosses no blocked cell (sampled at a quarter cell). */
function clearLine(g: WalkGrid, a: Point, b: Point): boolean {
  const d = Math.hypot(b.x - a.x, b.y - a.y);
  const steps = Math.max(1, Math.ceil(d / (g.cell * 0.25)));
  for (let i = 0; i <= steps; i++) {
    const x = a.x + ((b.x - a.x) * i) / steps;
    const y = a.y + ((b.y - a.y) * i) / steps;
    const col = Math.floor(x / g.cell);
    const row = Math.floor(y / g.cell);
    if (col < 0 || row < 0 || col >= g.cols || row >= g.rows) return false;
    if (g.blocked[row * g.cols + col]) return false;
  }
  return true;
}

/** Drop grid zig-zags: keep a point only where the straight line from the last kept point would hit something. */
function smooth(g: WalkGrid, pts: Point[]): Point[] {
  if (pts.length <= 2) return pts;
  const out: Point[] = [pts[0]!];
  let anchor = 0;
  for (let i = 2; i < pts.length; i++) {
    if (!clearLine(g, pts[anchor]!, pts[i]!)) {
      out.push(pts[i - 1]!);
      anchor = i - 1;
    }
  }
  out.push(pts[pts.length - 1]!);
  return out;
}

function pathLength(pts: readonly Point[]): number {
  let sum = 0;
  for (let i = 1; i < pts.length; i++) sum += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  return sum;
}

/** Calls `seed(cell, distance)` for every free cell within reach of the door point (it may sit on its wall line). */
function seedDoor(g: WalkGrid, door: Point, seed: (idx: number, d: number) => void): void {
  const reach = Math.ceil(DOOR_REACH_M / g.cell);
  const dc = Math.floor(door.x / g.cell);
  const dr = Math.floor(door.y / g.cell);
  for (let row = Math.max(0, dr - reach); row <= Math.min(g.rows - 1, dr + reach); row++) {
    for (let col = Math.max(0, dc - reach); col <= Math.min(g.cols - 1, dc + reach); col++) {
      const idx = row * g.cols + col;
      if (g.blocked[idx]) continue;
      const c = centre(g, idx);
      const d = Math.hypot(c.x - door.x, c.y - door.y);
      if (d <= DOOR_REACH_M) seed(idx, d);
    }
  }
}

/** The walk from the door point through the cells to `goal`, straightened. */
function finishPath(g: WalkGrid, door: Point, goal: number, cameFrom: Int32Array): Point[] {
  const cells: Point[] = [];
  for (let i = goal; i >= 0; i = cameFrom[i]!) cells.push(centre(g, i));
  cells.reverse();
  return [{ x: door.x, y: door.y }, ...smooth(g, cells)];
}

const approachOf = (g: WalkGrid) => g.clearance + APPROACH_EXTRA_M + g.cell * Math.SQRT1_2;

export interface RouteOptions {
  /** Multiplies the A* heuristic; 0 turns the search into plain Dijkstra (the benchmark's baseline). */
  heuristicWeight?: number;
}

/**
 * The shortest walk from a door to a table's edge on a prepared grid. Never throws: a table that cannot be reached comes
 * back with status 'no_route' and an empty path, so the screen can still show where it is.
 */
export function routeOnGrid(g: WalkGrid, doorId: string, tableId: string | null, options: RouteOptions = {}): Route {
  const table = tableId === null ? null : (g.tables.get(tableId) ?? null);
  if (!table) return { status: 'unknown_table', table: null, path: [], length_m: 0 };
  const door = g.plan.doors.find((d) => d.id === doorId);
  if (!door) return { status: 'unknown_door', table, path: [], length_m: 0 };

  const { cols, rows, cell, blocked } = g;
  const rect = tableRect(table);
  const approach = approachOf(g);
  const w = options.heuristicWeight ?? 1;
  // Scratch reuse instead of three fresh arrays of the grid's size per route: no allocation, no fill.
  const sc = g.scratch;
  sc.search = (sc.search + 1) >>> 0;
  if (sc.search === 0) {
    sc.stamp.fill(0);
    sc.closed.fill(0);
    sc.search = 1;
  }
  const id = sc.search;
  const { g: gScore, f: fScore, from: cameFrom, stamp, closed } = sc;
  const gOf = (i: number) => (stamp[i] === id ? gScore[i]! : Infinity);
  const open = new MinHeap(fScore);
  // The heuristic is the straight distance to the approach band around the table: never more than the true walk.
  const h = (idx: number) => {
    const c = centre(g, idx);
    return Math.max(0, distPointRect(c.x, c.y, rect) - approach) * w;
  };

  // Seed every free cell near the door, each at its straight distance: the door point may itself be on a blocked cell.
  seedDoor(g, door, (idx, d) => {
    stamp[idx] = id;
    cameFrom[idx] = -1;
    gScore[idx] = d;
    fScore[idx] = d + h(idx);
    open.push(idx);
  });

  let goal = -1;
  while (open.size > 0) {
    const cur = open.pop();
    if (closed[cur] === id) continue;
    closed[cur] = id;
    const c = centre(g, cur);
    if (distPointRect(c.x, c.y, rect) <= approach) {
      goal = cur;
      break;
    }
    const col = cur % cols;
    const row = (cur - col) / cols;
    for (const [ddx, ddy, cost] of NEIGHBOURS) {
      const nc = col + ddx;
      const nr = row + ddy;
      if (nc < 0 || nr < 0 || nc >= cols || nr >= rows) continue;
      const next = nr * cols + nc;
      if (blocked[next] || closed[next] === id) continue;
      // No corner cutting: a diagonal step needs both side cells free, else it would clip a wall end or a table corner.
      if (ddx !== 0 && ddy !== 0 && (blocked[row * cols + nc] || blocked[nr * cols + col])) continue;
      const tentative = gScore[cur]! + cost * cell;
      if (tentative < gOf(next)) {
        stamp[next] = id;
        gScore[next] = tentative;
        cameFrom[next] = cur;
        fScore[next] = tentative + h(next);
        open.push(next);
      }
    }
  }
  if (goal < 0) return { status: 'no_route', table, path: [], length_m: 0 };

  const path = finishPath(g, door, goal, cameFrom);
  return { status: 'ok', table, path, length_m: pathLength(path) };
}

/** Walking distances from one door to every cell of a grid, with the way back: a kiosk's door never moves. */
export interface DoorField {
  doorId: string;
  door: Point;
  dist: Float64Array;
  from: Int32Array;
}

/**
 * Dijkstra from the door over the whole grid, once per floor plan (at start-up, before any guest): afterwards a route
 * to any table is a look-up around the table and a walk back, well under a millisecond. Null for an unknown door.
 */
export function buildDoorField(g: WalkGrid, doorId: string): DoorField | null {
  const door = g.plan.doors.find((d) => d.id === doorId);
  if (!door) return null;
  const { cols, rows, cell, blocked } = g;
  const n = cols * rows;
  const dist = new Float64Array(n).fill(Infinity);
  const from = new Int32Array(n).fill(-1);
  const closed = new Uint8Array(n);
  const open = new MinHeap(dist);
  seedDoor(g, door, (idx, d) => {
    dist[idx] = d;
    open.push(idx);
  });
  while (open.size > 0) {
    const cur = open.pop();
    if (closed[cur]) continue;
    closed[cur] = 1;
    const col = cur % cols;
    const row = (cur - col) / cols;
    for (const [ddx, ddy, cost] of NEIGHBOURS) {
      const nc = col + ddx;
      const nr = row + ddy;
      if (nc < 0 || nr < 0 || nc >= cols || nr >= rows) continue;
      const next = nr * cols + nc;
      if (blocked[next] || closed[next]) continue;
      if (ddx !== 0 && ddy !== 0 && (blocked[row * cols + nc] || blocked[nr * cols + col])) continue;
      const d = dist[cur]! + cost * cell;
      if (d < dist[next]!) {
        dist[next] = d;
        from[next] = cur;
        open.push(next);
      }
    }
  }
  return { doorId, door: { x: door.x, y: door.y }, dist, from };
}

/**
 * Each cell of the table's approach band (within the approach distance of its edge), `visit` in reading order until
 * it answers true; `skip` first, so a cell that cannot count costs no distance computation.
 */
function someApproachCell(g: WalkGrid, table: SyncTable, skip: (idx: number) => boolean, visit: (idx: number) => boolean | void): boolean {
  const rect = tableRect(table);
  const approach = approachOf(g);
  const c0 = Math.max(0, Math.floor((rect.x - approach) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((rect.x + rect.w + approach) / g.cell));
  const r0 = Math.max(0, Math.floor((rect.y - approach) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((rect.y + rect.h + approach) / g.cell));
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      const idx = row * g.cols + col;
      if (skip(idx)) continue;
      const c = centre(g, idx);
      if (distPointRect(c.x, c.y, rect) <= approach && visit(idx)) return true;
    }
  }
  return false;
}

/** The cell of the table's approach band nearest the door by walking, or -1 when no cell of it is reachable. */
function approachGoal(g: WalkGrid, field: DoorField, table: SyncTable): number {
  let goal = -1;
  let best = Infinity;
  someApproachCell(g, table, (idx) => field.dist[idx]! >= best, (idx) => {
    best = field.dist[idx]!;
    goal = idx;
  });
  return goal;
}

/**
 * The walkable regions of a grid: each free cell's region number, -1 where a person cannot stand. A diagonal step is
 * only ever taken between two free orthogonal neighbours (buildDoorField, routeOnGrid), so the cells a door's search
 * reaches are exactly the regions of its seed cells, found here by one flood fill over four neighbours instead of a
 * Dijkstra per door: what the designer's reachability check of every table from every door needs, in a few ms.
 */
export function walkRegions(g: WalkGrid): Int32Array {
  const { cols, blocked } = g;
  const n = cols * g.rows;
  const region = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (blocked[start] || region[start] !== -1) continue;
    let head = 0;
    let tail = 0;
    region[start] = next;
    queue[tail++] = start;
    while (head < tail) {
      const cur = queue[head++]!;
      const col = cur % cols;
      const around = [col > 0 ? cur - 1 : -1, col < cols - 1 ? cur + 1 : -1, cur >= cols ? cur - cols : -1, cur + cols < n ? cur + cols : -1];
      for (const nb of around) {
        if (nb < 0 || blocked[nb] || region[nb] !== -1) continue;
        region[nb] = next;
        queue[tail++] = nb;
      }
    }
    next++;
  }
  return region;
}

/** The regions a door's walk may begin in (its route's seed cells), or null for an unknown door. */
export function doorRegions(g: WalkGrid, regions: Int32Array, doorId: string): Set<number> | null {
  const door = g.plan.doors.find((d) => d.id === doorId);
  if (!door) return null;
  const found = new Set<number>();
  seedDoor(g, door, (idx) => found.add(regions[idx]!));
  return found;
}

/**
 * Whether a route from the door (its regions, doorRegions) reaches the table: some cell of the table's approach band
 * lies in one of them. The same answer as routeFromField's status 'ok'; null for a table not on the grid.
 */
export function regionsReachTable(g: WalkGrid, regions: Int32Array, from: ReadonlySet<number>, tableId: string): boolean | null {
  const table = g.tables.get(tableId);
  if (!table) return null;
  return from.size > 0 && someApproachCell(g, table, (idx) => g.blocked[idx] === 1 || !from.has(regions[idx]!), () => true);
}

/** The same route as `routeOnGrid`, read from a door field: the nearest cell of the table's approach band, walked back. */
export function routeFromField(g: WalkGrid, field: DoorField | null, tableId: string | null): Route {
  const table = tableId === null ? null : (g.tables.get(tableId) ?? null);
  if (!table) return { status: 'unknown_table', table: null, path: [], length_m: 0 };
  if (!field) return { status: 'unknown_door', table, path: [], length_m: 0 };
  const goal = approachGoal(g, field, table);
  if (goal < 0) return { status: 'no_route', table, path: [], length_m: 0 };
  const path = finishPath(g, field.door, goal, field.from);
  return { status: 'ok', table, path, length_m: pathLength(path) };
}

/** One-shot convenience: build the grid and route. Reuse `buildWalkGrid` when several routes share a plan. */
export function findRoute(plan: SyncFloorPlan, tables: readonly SyncTable[], doorId: string, tableId: string | null, options: WalkGridOptions = {}): Route {
  return routeOnGrid(buildWalkGrid(plan, tables, options), doorId, tableId);
}
