// The layout as the doors see it: the contract's v1 floor plan and tables (core/contract/contract.ts), which every kiosk
// and hub already reads. Walls' polylines become segments, blocking obstacles rectangles, a rotated table or obstacle its
// bounding box (a route may keep a little further off it, never cross it), a banquet table a 'rect'. Zones, labels,
// chairs and the background stay in the console. And back: a layout made from a plan set by the CLI.
import type { SyncFloorPlan, SyncTable } from '../contract/contract';
import type { Layout } from './layout';

export interface ProjectedLayout {
  floor_plan: SyncFloorPlan;
  tables: SyncTable[];
}

export function projectLayout(layout: Layout): ProjectedLayout {
  void layout;
  throw new Error('core/designer/project: not built yet');
}

/** A layout from a published v1 plan and tables (with their seating tags), for a venue never drawn in the designer. */
export function layoutFromSync(plan: SyncFloorPlan | null, tables: readonly (SyncTable & { tags?: string[] })[]): Layout {
  void plan;
  void tables;
  throw new Error('core/designer/project: not built yet');
}
