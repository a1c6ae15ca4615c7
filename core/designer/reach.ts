// Whether every table can be reached from every door, by the kiosks' own route engine (core/wayfinding) over the
// layout as the doors will see it (project.ts): what the designer highlights as the planner draws, what publishing
// reports, and the exact route a guest will be shown from a door to a table.
import type { Route } from '../wayfinding/wayfinding';
import type { Layout } from './layout';

/** Why a table cannot be reached: no door drawn; walled in (no door reaches it); some doors do not; a door stands where nobody can walk. */
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

/** Checks every table from every door. `now` is injectable for the bench (default performance.now when present, else Date.now). */
export function checkReachability(layout: Layout, now?: () => number): ReachReport {
  void layout;
  void now;
  throw new Error('core/designer/reach: not built yet');
}

/** The route a guest at `doorId` is shown to `tableId`: the kiosk's own findRoute over the projected layout. */
export function routeFor(layout: Layout, doorId: string, tableId: string): Route {
  void layout;
  void doorId;
  void tableId;
  throw new Error('core/designer/reach: not built yet');
}

/** Doors at least one of whose routes (to a table both layouts have, or one added or removed) differs between the two. */
export function doorsWithChangedRoutes(before: Layout | null, after: Layout): string[] {
  void before;
  void after;
  throw new Error('core/designer/reach: not built yet');
}
