// Whether every table can be reached from every door, by the kiosks' own route engine (core/wayfinding) over the
// layout as the doors will see it (project.ts): what the designer highlights as the planner draws, what publishing
// reports, and the exact route a guest will be shown from a door to a table.
import type { SyncTable } from '../contract/contract';
import {
  buildDoorField, buildWalkGrid, doorRegions, regionsReachTable, routeFromField, walkRegions, type DoorField, type Route, type WalkGrid,
} from '../wayfinding/wayfinding';
import type { Layout } from './layout';
import { projectLayout } from './project';

/**
 * Why a table cannot be reached: no door drawn; walled in (no door reaches it); some doors do not; its centre lies
 * outside the room (the doors' plan ends at the room's edge, so a kiosk could not draw it).
 */
export type ReachProblem = 'no_doors' | 'unreachable' | 'some_doors' | 'outside_room';

export interface TableReach {
  table_id: string;
  /** Doors a route exists from. */
  reachable_from: string[];
  /** null: reachable from every door. */
  problem: ReachProblem | null;
}

export interface ReachReport {
  tables: TableReach[];
  /** Doors from which no table can be reached (standing in a wall, or boxed in). */
  blocked_doors: string[];
  /** Measured, for the bench and the page's status line. */
  duration_ms: number;
}

const defaultNow = (): number => (globalThis.performance ? globalThis.performance.now() : Date.now());

/** The projection's walk grid and one field per door: what a kiosk at each door builds once per plan. */
interface Walk {
  grid: WalkGrid;
  tables: SyncTable[];
  fields: DoorField[];
}

function walkOf(layout: Layout): Walk {
  const { floor_plan, tables } = projectLayout(layout);
  const grid = buildWalkGrid(floor_plan, tables);
  const fields: DoorField[] = [];
  for (const d of floor_plan.doors) {
    const f = buildDoorField(grid, d.id);
    if (f) fields.push(f);
  }
  return { grid, tables, fields };
}

function outsideRoom(t: SyncTable, width: number, height: number): boolean {
  const cx = t.x + t.w / 2;
  const cy = t.y + t.h / 2;
  return cx < 0 || cy < 0 || cx > width || cy > height;
}

/** Checks every table from every door. `now` is injectable for the bench (default performance.now when present, else Date.now). */
export function checkReachability(layout: Layout, now: () => number = defaultNow): ReachReport {
  const started = now();
  // The kiosk's grid, and its regions instead of a door field per door: a route exists exactly when the door's walk
  // starts in a region that touches the table's approach band (wayfinding.ts walkRegions), the status routeFromField
  // would give, without a Dijkstra per door.
  const { floor_plan, tables } = projectLayout(layout);
  const grid = buildWalkGrid(floor_plan, tables);
  const regions = walkRegions(grid);
  const doors = floor_plan.doors.map((d) => ({ id: d.id, from: doorRegions(grid, regions, d.id) ?? new Set<number>() }));
  const reachedSomething = new Set<string>();
  const report: TableReach[] = tables.map((t) => {
    const reachable_from: string[] = [];
    for (const d of doors) {
      if (regionsReachTable(grid, regions, d.from, t.id)) {
        reachable_from.push(d.id);
        reachedSomething.add(d.id);
      }
    }
    let problem: ReachProblem | null = null;
    if (layout.doors.length === 0) problem = 'no_doors';
    else if (outsideRoom(t, layout.width, layout.height)) problem = 'outside_room';
    else if (reachable_from.length === 0) problem = 'unreachable';
    else if (reachable_from.length < layout.doors.length) problem = 'some_doors';
    return { table_id: t.id, reachable_from, problem };
  });
  const blocked_doors = tables.length === 0 ? [] : layout.doors.map((d) => d.id).filter((id) => !reachedSomething.has(id));
  return { tables: report, blocked_doors, duration_ms: Math.max(0, now() - started) };
}

/** The route a guest at `doorId` is shown to `tableId`: what the kiosk's floor map computes (grid, door field, route). */
export function routeFor(layout: Layout, doorId: string, tableId: string): Route {
  const { floor_plan, tables } = projectLayout(layout);
  const grid = buildWalkGrid(floor_plan, tables);
  return routeFromField(grid, buildDoorField(grid, doorId), tableId);
}

/** A route's length differing by less than this is the same route (float noise). */
const LENGTH_TOLERANCE_M = 0.05;
/**
 * Where the route ends, beside the table: moved further than this (two cells), the guest is led elsewhere even when
 * the walk is as long (a table moved from one side of another to the other side changes its length by centimetres).
 */
const END_TOLERANCE_M = 0.5;

/** What a guest is shown, as compared between two layouts: null for no route. */
interface RouteSummary {
  length: number;
  endX: number;
  endY: number;
}

/** door id → table id → its route. */
type RouteTable = Map<string, Map<string, RouteSummary | null>>;

function routesOf(layout: Layout): RouteTable {
  const { grid, tables, fields } = walkOf(layout);
  const out: RouteTable = new Map();
  for (const f of fields) {
    const byTable = new Map<string, RouteSummary | null>();
    for (const t of tables) {
      const r = routeFromField(grid, f, t.id);
      const end = r.path[r.path.length - 1];
      byTable.set(t.id, r.status === 'ok' && end ? { length: r.length_m, endX: end.x, endY: end.y } : null);
    }
    out.set(f.doorId, byTable);
  }
  return out;
}

function sameRoute(a: RouteSummary | null, b: RouteSummary | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a.length - b.length) <= LENGTH_TOLERANCE_M && Math.hypot(a.endX - b.endX, a.endY - b.endY) <= END_TOLERANCE_M;
}

function sameRoutes(a: Map<string, RouteSummary | null>, b: Map<string, RouteSummary | null>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, ra] of a) {
    const rb = b.get(id);
    if (rb === undefined || !sameRoute(ra, rb)) return false;
  }
  return true;
}

/**
 * Doors at least one of whose routes (to a table both layouts have, or one added or removed) differs between the two:
 * found or not, longer or shorter, ending elsewhere. `after`'s doors first, then doors `before` had and `after` has not;
 * `before` null (first publish): every door of `after`.
 */
export function doorsWithChangedRoutes(before: Layout | null, after: Layout): string[] {
  if (before === null) return after.doors.map((d) => d.id);
  const was = routesOf(before);
  const is = routesOf(after);
  const changed: string[] = [];
  for (const d of after.doors) {
    const a = was.get(d.id);
    const b = is.get(d.id);
    if (!a || !b || !sameRoutes(a, b)) changed.push(d.id);
  }
  const kept = new Set(after.doors.map((d) => d.id));
  for (const d of before.doors) if (!kept.has(d.id)) changed.push(d.id);
  return [...new Set(changed)];
}
