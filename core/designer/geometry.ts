// The Seat Designer's geometry: snapping, rotation, bounds, hit testing, chairs around a table, align and distribute,
// renumbering in reading order. Pure functions over the layout (layout.ts); the page and the server both use them.
import type { ElementKind, Layout, LayoutPoint, LayoutTable } from './layout';

export interface Rect {
  /** Top-left corner. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One selected element. */
export interface ElementRef {
  kind: ElementKind;
  id: string;
}

/** A rotatable box: centre, size, degrees clockwise (tables, obstacles, zones). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  rotation: number;
}

export interface Chair {
  x: number;
  y: number;
  /** Degrees clockwise the chair faces (towards the table). */
  facing: number;
}

export type AlignEdge = 'left' | 'center' | 'right' | 'top' | 'middle' | 'bottom';
export type DistributeAxis = 'horizontal' | 'vertical';

const todo = (): never => {
  throw new Error('core/designer/geometry: not built yet');
};

/** `v` to the nearest multiple of `step` (step 0: unchanged). */
export function snap(v: number, step: number): number { return todo(); }
export function snapPoint(p: LayoutPoint, step: number): LayoutPoint { return todo(); }
/** An angle in degrees to [0, 360), then to the nearest multiple of `step` (default 15°). */
export function snapAngle(deg: number, step?: number): number { return todo(); }
export function normalizeAngle(deg: number): number { return todo(); }
export function rotatePoint(p: LayoutPoint, centre: LayoutPoint, deg: number): LayoutPoint { return todo(); }
/** The box's four corners, clockwise from the top-left before rotation. */
export function corners(b: Box): LayoutPoint[] { return todo(); }
/** The axis-aligned bounds of a rotated box. */
export function boxBounds(b: Box): Rect { return todo(); }
/** The axis-aligned bounds of any element of the layout. */
export function elementBounds(layout: Layout, ref: ElementRef): Rect | null { return todo(); }
/** Whether `p` is inside the (rotated) box; `round` tests the inscribed ellipse. */
export function pointInBox(p: LayoutPoint, b: Box, round?: boolean): boolean { return todo(); }
/** The topmost element under `p` (labels, doors, tables, obstacles, walls within `tolerance` m, zones), or null. */
export function hitTest(layout: Layout, p: LayoutPoint, tolerance?: number): ElementRef | null { return todo(); }
/** Every element whose bounds lie inside `r` (a marquee selection). */
export function elementsInRect(layout: Layout, r: Rect): ElementRef[] { return todo(); }
/** Chairs around a table: `capacity` of them, spaced evenly (round: on a circle; rect: four sides; banquet: the two long sides). */
export function chairPositions(t: LayoutTable): Chair[] { return todo(); }
/** Moves the elements by dx, dy (walls: every point). */
export function moveElements(layout: Layout, refs: readonly ElementRef[], dx: number, dy: number): Layout { return todo(); }
/** Rotates the elements by `deg` about the centre of their joint bounds (a single box: about its own centre). */
export function rotateElements(layout: Layout, refs: readonly ElementRef[], deg: number): Layout { return todo(); }
/** Aligns the elements' bounds to the selection's edge or centre line. */
export function alignElements(layout: Layout, refs: readonly ElementRef[], edge: AlignEdge): Layout { return todo(); }
/** Spaces three or more elements evenly between the outermost two. */
export function distributeElements(layout: Layout, refs: readonly ElementRef[], axis: DistributeAxis): Layout { return todo(); }
/** Tables labelled 1…N in reading order: rows top to bottom (a table joins a row when its centre is within half a table of the row's), left to right in a row. */
export function renumberTables(layout: Layout): Layout { return todo(); }
/** A copy of the elements with fresh ids from `newId`, offset by dx, dy, and the refs of the copies. */
export function duplicateElements(layout: Layout, refs: readonly ElementRef[], dx: number, dy: number, newId: (kind: ElementKind) => string): { layout: Layout; refs: ElementRef[] } { return todo(); }
/** Removes the elements. */
export function deleteElements(layout: Layout, refs: readonly ElementRef[]): Layout { return todo(); }
/** Metres per pixel from two points on the image (pixels) and the real distance between them (metres). */
export function scaleFromTwoPoints(a: LayoutPoint, b: LayoutPoint, metres: number): number { return todo(); }
