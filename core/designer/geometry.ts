// The Seat Designer's geometry: snapping, rotation, bounds, hit testing, chairs around a table, align and distribute,
// renumbering in reading order. Pure functions over the layout (layout.ts); the page and the server both use them.
// Every edit returns a NEW layout and never mutates its input; untouched arrays and elements are shared.
// Coordinates are metres with y growing downward (SVG); angles are degrees clockwise.
import type {
  ElementKind, Layout, LayoutDoor, LayoutLabel, LayoutObstacle, LayoutPoint, LayoutTable, LayoutWall, LayoutZone,
} from './layout';

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
  /**
   * Degrees clockwise the chair faces (towards the table), measured like SVG's rotate(): 0 faces +x (right), 90 faces
   * +y (down), 180 left, 270 up. A round table's chairs face its centre; a rect or banquet table's chairs face square
   * on to the side they sit at (so a row of chairs along a long table is parallel, not fanned towards one point).
   */
  facing: number;
}

export type AlignEdge = 'left' | 'center' | 'right' | 'top' | 'middle' | 'bottom';
export type DistributeAxis = 'horizontal' | 'vertical';

/** How far a chair's centre sits out from the table top's edge, in metres. */
export const CHAIR_OFFSET = 0.45;
/** A door is a point; a click within this many metres of it hits it. */
export const DOOR_HIT_RADIUS = 0.5;
/** Default distance in metres within which a click hits a wall. */
export const WALL_HIT_TOLERANCE = 0.3;
/** A label's estimated width per character, as a fraction of its size (no text metrics in pure code). */
export const LABEL_CHAR_WIDTH = 0.6;

/** Rounds away float noise (0.30000000000000004 → 0.3) and -0 → 0; far below any meaningful length or angle. */
function clean(v: number): number {
  const r = Math.round(v * 1e9) / 1e9;
  return r === 0 ? 0 : r;
}

/** Rounds half away from zero, so snapping is symmetric: snap(-v) === -snap(v). */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** `v` to the nearest multiple of `step` (step 0: unchanged). A half step rounds away from zero (0.25 → 0.5, -0.25 → -0.5). */
export function snap(v: number, step: number): number {
  if (!(step > 0)) return v;
  // clean() first: 0.15 / 0.1 is 1.4999999999999998, which must still count as a half step.
  return clean(roundHalfAway(clean(v / step)) * step);
}

export function snapPoint(p: LayoutPoint, step: number): LayoutPoint {
  return { x: snap(p.x, step), y: snap(p.y, step) };
}

/** An angle in degrees to [0, 360), then to the nearest multiple of `step` (default 15°); 352.5 with 15 → 0, never 360. */
export function snapAngle(deg: number, step = 15): number {
  return normalizeAngle(snap(normalizeAngle(deg), step));
}

/** An angle in degrees to [0, 360): never 360, never -0; 359.9999999999 (float noise) is 0. */
export function normalizeAngle(deg: number): number {
  if (!Number.isFinite(deg)) throw new RangeError(`normalizeAngle: the angle must be a finite number (got ${deg})`);
  let r = clean(deg % 360);
  if (r < 0) r = clean(r + 360);
  return r >= 360 ? 0 : r;
}

/** cos and sin of `deg`, exact at quarter turns (no cos(90°) = 6e-17 noise). */
function cosSin(deg: number): [number, number] {
  const a = normalizeAngle(deg);
  if (a === 0) return [1, 0];
  if (a === 90) return [0, 1];
  if (a === 180) return [-1, 0];
  if (a === 270) return [0, -1];
  const rad = (a * Math.PI) / 180;
  return [Math.cos(rad), Math.sin(rad)];
}

/** `p` turned `deg` clockwise (on screen, y down) about `centre`. */
export function rotatePoint(p: LayoutPoint, centre: LayoutPoint, deg: number): LayoutPoint {
  const [c, s] = cosSin(deg);
  const dx = p.x - centre.x;
  const dy = p.y - centre.y;
  return { x: clean(centre.x + dx * c - dy * s), y: clean(centre.y + dx * s + dy * c) };
}

/** The box's four corners, clockwise from the top-left before rotation. */
export function corners(b: Box): LayoutPoint[] {
  const hw = b.w / 2;
  const hh = b.h / 2;
  const centre = { x: b.x, y: b.y };
  return [
    { x: b.x - hw, y: b.y - hh },
    { x: b.x + hw, y: b.y - hh },
    { x: b.x + hw, y: b.y + hh },
    { x: b.x - hw, y: b.y + hh },
  ].map((p) => rotatePoint(p, centre, b.rotation));
}

function pointsBounds(points: readonly LayoutPoint[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, w: clean(maxX - minX), h: clean(maxY - minY) };
}

/** The axis-aligned bounds of a rotated box; `round` bounds the inscribed ellipse instead (tighter when rotated). */
export function boxBounds(b: Box, round = false): Rect {
  if (!round) return pointsBounds(corners(b));
  const [c, s] = cosSin(b.rotation);
  const a = b.w / 2;
  const e = b.h / 2;
  const hw = clean(Math.sqrt(a * a * c * c + e * e * s * s));
  const hh = clean(Math.sqrt(a * a * s * s + e * e * c * c));
  return { x: clean(b.x - hw), y: clean(b.y - hh), w: clean(2 * hw), h: clean(2 * hh) };
}

/** A table's top as a box: a round table is a circle of diameter `w` (its `h` is ignored), as project.ts reads it. */
export function tableBox(t: LayoutTable): Box {
  return t.shape === 'round' ? { x: t.x, y: t.y, w: t.w, h: t.w, rotation: t.rotation } : t;
}

/** A label's estimated box: LABEL_CHAR_WIDTH × size per character wide, `size` tall, centred on its point, rotated with it. */
export function labelBox(l: LayoutLabel): Box {
  return { x: l.x, y: l.y, w: LABEL_CHAR_WIDTH * l.size * l.text.length, h: l.size, rotation: l.rotation };
}

function find<K extends ElementKind>(layout: Layout, kind: K, id: string): Layout[K][number] | undefined {
  return (layout[kind] as ReadonlyArray<Layout[K][number]>).find((e) => e.id === id);
}

type AnyElement = LayoutWall | LayoutDoor | LayoutZone | LayoutObstacle | LayoutTable | LayoutLabel;

function boundsOf(kind: ElementKind, e: AnyElement): Rect {
  switch (kind) {
    case 'walls': return pointsBounds((e as LayoutWall).points);
    case 'doors': return { x: (e as LayoutDoor).x, y: (e as LayoutDoor).y, w: 0, h: 0 };
    case 'zones': return boxBounds(e as LayoutZone);
    case 'obstacles': return boxBounds(e as LayoutObstacle, (e as LayoutObstacle).shape === 'round');
    case 'tables': return boxBounds(tableBox(e as LayoutTable), (e as LayoutTable).shape === 'round');
    case 'labels': return boxBounds(labelBox(e as LayoutLabel));
    default: {
      const never: never = kind;
      throw new Error(`unknown element kind ${String(never)}`);
    }
  }
}

/** The axis-aligned bounds of any element of the layout (a door: a point, w = h = 0); null when it is not there. */
export function elementBounds(layout: Layout, ref: ElementRef): Rect | null {
  const e = find(layout, ref.kind, ref.id);
  return e ? boundsOf(ref.kind, e) : null;
}

function unionRects(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const r of rects) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.w);
    maxY = Math.max(maxY, r.y + r.h);
  }
  return { x: minX, y: minY, w: clean(maxX - minX), h: clean(maxY - minY) };
}

/** The joint axis-aligned bounds of the elements (those not in the layout are ignored); null when none is there. */
export function selectionBounds(layout: Layout, refs: readonly ElementRef[]): Rect | null {
  const rects: Rect[] = [];
  for (const ref of refs) {
    const b = elementBounds(layout, ref);
    if (b) rects.push(b);
  }
  return unionRects(rects);
}

/** Whether `p` is inside the (rotated) box, edges included; `round` tests the inscribed ellipse. */
export function pointInBox(p: LayoutPoint, b: Box, round = false): boolean {
  // Into the box's own frame: turn p back by the box's rotation about its centre.
  const local = rotatePoint(p, { x: b.x, y: b.y }, -b.rotation);
  const dx = local.x - b.x;
  const dy = local.y - b.y;
  const hw = b.w / 2;
  const hh = b.h / 2;
  if (round) {
    if (hw <= 0 || hh <= 0) return false;
    return (dx / hw) ** 2 + (dy / hh) ** 2 <= 1 + 1e-9;
  }
  return Math.abs(dx) <= hw + 1e-9 && Math.abs(dy) <= hh + 1e-9;
}

/** The distance from `p` to the segment a–b. */
export function distanceToSegment(p: LayoutPoint, a: LayoutPoint, b: LayoutPoint): number {
  const vx = b.x - a.x;
  const vy = b.y - a.y;
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2));
  return Math.hypot(p.x - (a.x + t * vx), p.y - (a.y + t * vy));
}

function wallHit(w: LayoutWall, p: LayoutPoint, tolerance: number): boolean {
  for (let i = 1; i < w.points.length; i++) {
    if (distanceToSegment(p, w.points[i - 1]!, w.points[i]!) <= tolerance + 1e-9) return true;
  }
  return false;
}

/** The last (topmost) element of `list` that `hit` accepts. */
function topmost<E extends { id: string }>(list: readonly E[], hit: (e: E) => boolean): string | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    if (hit(e)) return e.id;
  }
  return null;
}

/**
 * The topmost element under `p`, or null. Kinds from the top: labels, doors (within DOOR_HIT_RADIUS), tables (inside
 * the rotated top; a round one inside its circle), obstacles (a round one inside its ellipse), walls (within
 * `tolerance` m of a segment, default WALL_HIT_TOLERANCE), zones. Within a kind a later element is on top.
 */
export function hitTest(layout: Layout, p: LayoutPoint, tolerance = WALL_HIT_TOLERANCE): ElementRef | null {
  const tests: Array<[ElementKind, () => string | null]> = [
    ['labels', () => topmost(layout.labels, (l) => pointInBox(p, labelBox(l)))],
    ['doors', () => topmost(layout.doors, (d) => Math.hypot(p.x - d.x, p.y - d.y) <= DOOR_HIT_RADIUS)],
    ['tables', () => topmost(layout.tables, (t) => pointInBox(p, tableBox(t), t.shape === 'round'))],
    ['obstacles', () => topmost(layout.obstacles, (o) => pointInBox(p, o, o.shape === 'round'))],
    ['walls', () => topmost(layout.walls, (w) => wallHit(w, p, tolerance))],
    ['zones', () => topmost(layout.zones, (z) => pointInBox(p, z))],
  ];
  for (const [kind, test] of tests) {
    const id = test();
    if (id !== null) return { kind, id };
  }
  return null;
}

const ALL_KINDS: readonly ElementKind[] = ['walls', 'doors', 'zones', 'obstacles', 'tables', 'labels'];

function rectInside(inner: Rect, outer: Rect): boolean {
  const eps = 1e-9;
  return inner.x >= outer.x - eps && inner.y >= outer.y - eps
    && inner.x + inner.w <= outer.x + outer.w + eps && inner.y + inner.h <= outer.y + outer.h + eps;
}

/** Every element whose axis-aligned bounds lie wholly inside `r` (a marquee selection), kind by kind in array order. */
export function elementsInRect(layout: Layout, r: Rect): ElementRef[] {
  // A marquee dragged up or left has a negative size: the same rectangle.
  const m: Rect = { x: Math.min(r.x, r.x + r.w), y: Math.min(r.y, r.y + r.h), w: Math.abs(r.w), h: Math.abs(r.h) };
  const out: ElementRef[] = [];
  for (const kind of ALL_KINDS) {
    for (const e of layout[kind] as readonly AnyElement[]) {
      if (rectInside(boundsOf(kind, e), m)) out.push({ kind, id: e.id });
    }
  }
  return out;
}

/** How many of `total` each side gets, in proportion to `lengths` (largest remainder; ties to the earlier side). */
function apportion(total: number, lengths: readonly number[]): number[] {
  const sum = lengths.reduce((a, b) => a + b, 0);
  const ideal = lengths.map((l) => (sum > 0 ? (total * l) / sum : total / lengths.length));
  const counts = ideal.map((v) => Math.floor(v + 1e-9));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = ideal.map((v, i) => ({ i, rem: v - Math.floor(v + 1e-9) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i]!++;
    left--;
  }
  return counts;
}

/**
 * Chairs around a table: `capacity` of them, CHAIR_OFFSET m out from the edge of its top, turned with the table.
 * round: evenly on a circle, the first at the top. rect: around the four sides (clockwise from the top-left) in
 * proportion to their lengths, every side at least one when capacity ≥ 4. banquet: the two long sides only (top and
 * bottom, or right and left when h > w), split as evenly as possible, the odd one to the first of them. Along a side
 * chairs are spaced evenly, each in the middle of its share.
 */
export function chairPositions(t: LayoutTable): Chair[] {
  const n = Math.max(0, Math.floor(t.capacity));
  if (n === 0) return [];
  const centre = { x: t.x, y: t.y };
  const chairs: Chair[] = [];
  if (t.shape === 'round') {
    const r = t.w / 2 + CHAIR_OFFSET;
    for (let i = 0; i < n; i++) {
      // The i-th chair's angle clockwise from the top; it faces back along the radius, towards the centre.
      const a = (360 * i) / n;
      const p = rotatePoint({ x: t.x, y: t.y - r }, centre, a + t.rotation);
      chairs.push({ x: p.x, y: p.y, facing: normalizeAngle(90 + a + t.rotation) });
    }
    return chairs;
  }
  const hw = t.w / 2;
  const hh = t.h / 2;
  const o = CHAIR_OFFSET;
  // Sides clockwise from the top: where the side starts and ends (in the table's frame, chairs already pushed out),
  // and which way a chair there faces before the table's rotation.
  const sides = [
    { from: { x: -hw, y: -hh - o }, to: { x: hw, y: -hh - o }, len: t.w, facing: 90 },
    { from: { x: hw + o, y: -hh }, to: { x: hw + o, y: hh }, len: t.h, facing: 180 },
    { from: { x: hw, y: hh + o }, to: { x: -hw, y: hh + o }, len: t.w, facing: 270 },
    { from: { x: -hw - o, y: hh }, to: { x: -hw - o, y: -hh }, len: t.h, facing: 0 },
  ];
  let counts: number[];
  if (t.shape === 'banquet') {
    const first = Math.ceil(n / 2);
    counts = t.h > t.w ? [0, first, 0, n - first] : [first, 0, n - first, 0];
  } else {
    counts = apportion(n, sides.map((s) => s.len));
    if (n >= 4) {
      // Every side gets one: take it from the side with the most (the earliest of equals).
      for (let i = 0; i < 4; i++) {
        if (counts[i] === 0) {
          const most = counts.indexOf(Math.max(...counts));
          counts[most]!--;
          counts[i] = 1;
        }
      }
    }
  }
  sides.forEach((s, i) => {
    const k = counts[i]!;
    for (let j = 0; j < k; j++) {
      const f = (j + 0.5) / k;
      const local = { x: t.x + s.from.x + (s.to.x - s.from.x) * f, y: t.y + s.from.y + (s.to.y - s.from.y) * f };
      const p = rotatePoint(local, centre, t.rotation);
      chairs.push({ x: p.x, y: p.y, facing: normalizeAngle(s.facing + t.rotation) });
    }
  });
  return chairs;
}

/** Per kind, the ids a selection names. */
function idsByKind(refs: readonly ElementRef[]): Map<ElementKind, Set<string>> {
  const m = new Map<ElementKind, Set<string>>();
  for (const r of refs) {
    let s = m.get(r.kind);
    if (!s) m.set(r.kind, (s = new Set()));
    s.add(r.id);
  }
  return m;
}

/** A copy of the layout where every selected element is replaced by `edit(kind, element)`; other arrays are shared. */
function mapSelected(layout: Layout, refs: readonly ElementRef[], edit: (kind: ElementKind, e: AnyElement) => AnyElement): Layout {
  const byKind = idsByKind(refs);
  const next: Layout = { ...layout };
  for (const [kind, ids] of byKind) {
    const list = layout[kind] as readonly AnyElement[];
    if (!list.some((e) => ids.has(e.id))) continue;
    (next as Record<ElementKind, AnyElement[]>)[kind] = list.map((e) => (ids.has(e.id) ? edit(kind, e) : e));
  }
  return next;
}

function translate(kind: ElementKind, e: AnyElement, dx: number, dy: number): AnyElement {
  if (kind === 'walls') {
    const w = e as LayoutWall;
    return { ...w, points: w.points.map((p) => ({ x: clean(p.x + dx), y: clean(p.y + dy) })) };
  }
  const pe = e as LayoutDoor;
  return { ...pe, x: clean(pe.x + dx), y: clean(pe.y + dy) };
}

/** Moves the elements by dx, dy (walls: every point). */
export function moveElements(layout: Layout, refs: readonly ElementRef[], dx: number, dy: number): Layout {
  if (dx === 0 && dy === 0) return layout;
  return mapSelected(layout, refs, (kind, e) => translate(kind, e, dx, dy));
}

/**
 * Rotates the elements by `deg` clockwise about the centre of their joint axis-aligned bounds: positions (a wall's
 * points) go round it and every box and label also turns by `deg` (normalised). A single box or label is centred on
 * its own bounds, so it turns in place; a single wall turns about the centre of its bounds; a lone door stays put.
 */
export function rotateElements(layout: Layout, refs: readonly ElementRef[], deg: number): Layout {
  const present = refs.filter((r) => find(layout, r.kind, r.id));
  const joint = selectionBounds(layout, present);
  if (!joint || normalizeAngle(deg) === 0) return layout;
  const centre = { x: joint.x + joint.w / 2, y: joint.y + joint.h / 2 };
  return mapSelected(layout, present, (kind, e) => {
    if (kind === 'walls') {
      const w = e as LayoutWall;
      return { ...w, points: w.points.map((p) => rotatePoint(p, centre, deg)) };
    }
    if (kind === 'doors') {
      const d = e as LayoutDoor;
      return { ...d, ...rotatePoint(d, centre, deg) };
    }
    const b = e as LayoutZone | LayoutObstacle | LayoutTable | LayoutLabel;
    return { ...b, ...rotatePoint(b, centre, deg), rotation: normalizeAngle(b.rotation + deg) };
  });
}

/** Moves each element so its axis-aligned bounds meet the selection's edge or centre line. */
export function alignElements(layout: Layout, refs: readonly ElementRef[], edge: AlignEdge): Layout {
  const joint = selectionBounds(layout, refs);
  if (!joint) return layout;
  let next = layout;
  for (const ref of uniqueRefs(refs)) {
    const b = elementBounds(layout, ref);
    if (!b) continue;
    let dx = 0;
    let dy = 0;
    switch (edge) {
      case 'left': dx = joint.x - b.x; break;
      case 'center': dx = joint.x + joint.w / 2 - (b.x + b.w / 2); break;
      case 'right': dx = joint.x + joint.w - (b.x + b.w); break;
      case 'top': dy = joint.y - b.y; break;
      case 'middle': dy = joint.y + joint.h / 2 - (b.y + b.h / 2); break;
      case 'bottom': dy = joint.y + joint.h - (b.y + b.h); break;
      default: {
        const never: never = edge;
        throw new Error(`unknown edge ${String(never)}`);
      }
    }
    next = moveElements(next, [ref], clean(dx), clean(dy));
  }
  return next;
}

function uniqueRefs(refs: readonly ElementRef[]): ElementRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.kind}\u0000${r.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Spaces three or more elements evenly between the outermost two (by the centre of their bounds along the axis): the
 * two stay, the others move so the gaps between consecutive bounds are equal (a gap may be negative when they do not
 * fit). Fewer than three elements: the layout unchanged.
 */
export function distributeElements(layout: Layout, refs: readonly ElementRef[], axis: DistributeAxis): Layout {
  const horizontal = axis === 'horizontal';
  const items = uniqueRefs(refs)
    .map((ref) => ({ ref, b: elementBounds(layout, ref) }))
    .filter((it): it is { ref: ElementRef; b: Rect } => it.b !== null)
    .map(({ ref, b }) => ({ ref, start: horizontal ? b.x : b.y, size: horizontal ? b.w : b.h }));
  if (items.length < 3) return layout;
  items.sort((a, b) => a.start + a.size / 2 - (b.start + b.size / 2));
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const span = last.start + last.size - first.start;
  const sizes = items.reduce((a, it) => a + it.size, 0);
  const gap = (span - sizes) / (items.length - 1);
  let next = layout;
  let cursor = first.start + first.size + gap;
  for (const it of items.slice(1, -1)) {
    const d = clean(cursor - it.start);
    next = horizontal ? moveElements(next, [it.ref], d, 0) : moveElements(next, [it.ref], 0, d);
    cursor += it.size + gap;
  }
  return next;
}

/**
 * Tables labelled "1"…"N" in reading order, ids and array order unchanged. Rows top to bottom: tables taken by their
 * centre's y (ties by x); a table joins the current row when its centre is less than half the height of the row's
 * first table's axis-aligned bounds below that table's centre, else it starts the next row. Within a row, left to
 * right by the centre's x (ties by y).
 */
export function renumberTables(layout: Layout): Layout {
  const items = layout.tables.map((t, index) => ({ t, index, half: boundsOf('tables', t).h / 2 }));
  items.sort((a, b) => a.t.y - b.t.y || a.t.x - b.t.x || a.index - b.index);
  const rows: Array<typeof items> = [];
  for (const it of items) {
    const row = rows[rows.length - 1];
    const head = row?.[0];
    if (row && head && it.t.y - head.t.y < head.half) row.push(it);
    else rows.push([it]);
  }
  const labels = new Array<string>(layout.tables.length);
  let n = 0;
  for (const row of rows) {
    row.sort((a, b) => a.t.x - b.t.x || a.t.y - b.t.y || a.index - b.index);
    for (const it of row) labels[it.index] = String(++n);
  }
  if (layout.tables.every((t, i) => t.label === labels[i])) return layout;
  return { ...layout, tables: layout.tables.map((t, i) => (t.label === labels[i] ? t : { ...t, label: labels[i]! })) };
}

function copyElement(kind: ElementKind, e: AnyElement): AnyElement {
  if (kind === 'walls') return { ...(e as LayoutWall), points: (e as LayoutWall).points.map((p) => ({ ...p })) };
  if (kind === 'tables') return { ...(e as LayoutTable), tags: [...(e as LayoutTable).tags] };
  return { ...e };
}

/**
 * A copy of the elements with fresh ids from `newId`, offset by dx, dy, appended after the originals of their kind (so
 * on top), and the refs of the copies in the order of `refs`. Refs not in the layout, or named twice, are copied once
 * or not at all. A copied table keeps its label (renumber to make labels unique).
 */
export function duplicateElements(
  layout: Layout, refs: readonly ElementRef[], dx: number, dy: number, newId: (kind: ElementKind) => string,
): { layout: Layout; refs: ElementRef[] } {
  const added = new Map<ElementKind, AnyElement[]>();
  const out: ElementRef[] = [];
  for (const ref of uniqueRefs(refs)) {
    const e = find(layout, ref.kind, ref.id);
    if (!e) continue;
    const id = newId(ref.kind);
    const copy = { ...translate(ref.kind, copyElement(ref.kind, e), dx, dy), id };
    let list = added.get(ref.kind);
    if (!list) added.set(ref.kind, (list = []));
    list.push(copy);
    out.push({ kind: ref.kind, id });
  }
  if (out.length === 0) return { layout, refs: [] };
  const next: Layout = { ...layout };
  for (const [kind, list] of added) {
    (next as Record<ElementKind, AnyElement[]>)[kind] = [...(layout[kind] as readonly AnyElement[]), ...list];
  }
  return { layout: next, refs: out };
}

/** Removes the elements. */
export function deleteElements(layout: Layout, refs: readonly ElementRef[]): Layout {
  const byKind = idsByKind(refs);
  const next: Layout = { ...layout };
  let changed = false;
  for (const [kind, ids] of byKind) {
    const list = layout[kind] as readonly AnyElement[];
    const kept = list.filter((e) => !ids.has(e.id));
    if (kept.length === list.length) continue;
    (next as Record<ElementKind, AnyElement[]>)[kind] = kept;
    changed = true;
  }
  return changed ? next : layout;
}

/** Metres per pixel from two points on the image (pixels) and the real distance between them (metres). */
export function scaleFromTwoPoints(a: LayoutPoint, b: LayoutPoint, metres: number): number {
  const px = Math.hypot(b.x - a.x, b.y - a.y);
  if (!Number.isFinite(px) || px === 0) {
    throw new RangeError('scaleFromTwoPoints: the two points are the same (or not finite); pick two points apart on the image');
  }
  if (!Number.isFinite(metres) || metres <= 0) {
    throw new RangeError(`scaleFromTwoPoints: the distance between the points must be more than 0 metres (got ${metres})`);
  }
  return metres / px;
}
