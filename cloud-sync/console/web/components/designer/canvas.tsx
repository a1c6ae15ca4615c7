// The designer's drawing surface: the plan (PlanSvg) with the selection, handles, the wall being drawn, the marquee
// and a route drawn over it, and every pointer and keyboard gesture. Pointer moves are coalesced to one update per
// animation frame; a drag rebuilds the layout from the one it started with, so the elements it does not move stay
// the same objects and PlanSvg skips them.
import { useMemo, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import {
  corners, elementBounds, elementsInRect, hitTest, labelBox, moveElements, normalizeAngle, rotateElements, rotatePoint,
  snap, snapAngle, snapPoint, tableBox, type Box, type ElementRef, type Rect,
} from '../../../../../core/designer/geometry';
import type { Layout, LayoutPoint, LayoutTable, LayoutWall, ObstacleKind } from '../../../../../core/designer/layout';
import { t } from '../../i18n';
import { lang } from '../../state';
import { PlanSvg, tableName } from '../plan/plan-svg';
import { problemReason } from './side';
import {
  addEl, allRefs, checked, commit, copySelection, deleteSelection, doc, duplicateSelection, findEl, gesture, isSelected,
  newId, nextTableLabel, nudge, pan, paste, reach, redo, rotateSelection, scalePick, scheduleReach, seal, sel, select,
  selectionCentre, shownRoute, toggle, tool, undo, view, zoom, type Tool,
} from './editor';

type Gesture =
  | { type: 'move'; start: Layout; refs: ElementRef[]; p0: LayoutPoint; anchor: LayoutPoint; key: string }
  | { type: 'rotate'; start: Layout; refs: ElementRef[]; centre: LayoutPoint; a0: number; base: number | null; key: string }
  | { type: 'resize'; start: Layout; ref: ElementRef; sx: number; sy: number; key: string }
  | { type: 'marquee'; p0: LayoutPoint; base: ElementRef[] }
  | { type: 'pan'; x0: number; y0: number; v0: { x: number; y: number }; mpp: number };

const OBSTACLE: Partial<Record<Tool, { kind: ObstacleKind; w: number; h: number; shape: 'rect' | 'round' }>> = {
  stage: { kind: 'stage', w: 6, h: 3, shape: 'rect' },
  bar: { kind: 'bar', w: 4, h: 1, shape: 'rect' },
  dance_floor: { kind: 'dance_floor', w: 6, h: 6, shape: 'rect' },
  pillar: { kind: 'pillar', w: 0.6, h: 0.6, shape: 'round' },
};
const TABLE: Partial<Record<Tool, Pick<LayoutTable, 'shape' | 'w' | 'h' | 'capacity'>>> = {
  table_round: { shape: 'round', w: 1.8, h: 1.8, capacity: 10 },
  table_rect: { shape: 'rect', w: 1.8, h: 0.9, capacity: 6 },
  table_banquet: { shape: 'banquet', w: 4, h: 1, capacity: 12 },
};

/** The rotatable box of a single selected element, when it has one (tables, obstacles, zones; labels rotate only). */
function boxOf(layout: Layout, r: ElementRef): Box | null {
  const e = findEl(layout, r);
  if (!e) return null;
  if (r.kind === 'tables') return tableBox(e as LayoutTable);
  if (r.kind === 'obstacles' || r.kind === 'zones') return e as Box;
  if (r.kind === 'labels') return labelBox(e as Parameters<typeof labelBox>[0]);
  return null;
}

const angleOf = (c: LayoutPoint, p: LayoutPoint) => (Math.atan2(p.y - c.y, p.x - c.x) * 180) / Math.PI;
const poly = (ps: readonly LayoutPoint[]) => ps.map((p) => `${p.x},${p.y}`).join(' ');
/** Consecutive repeats out (a double-click's second click lands on the same snapped point). */
const dedupe = (ps: LayoutPoint[]) => ps.filter((p, i) => i === 0 || p.x !== ps[i - 1]!.x || p.y !== ps[i - 1]!.y);

/** Describes the selection in words, for the live line under the plan. */
export function describeSelection(layout: Layout, refs: readonly ElementRef[]): string {
  if (refs.length === 0) return t('designer.sel.none');
  if (refs.length > 1) return t('designer.sel.many', { n: refs.length });
  const r = refs[0]!;
  const e = findEl(layout, r) as unknown as Record<string, unknown> | undefined;
  if (!e) return t('designer.sel.none');
  const where = 'x' in e ? t('designer.sel.at', { x: Number(e.x).toFixed(2), y: Number(e.y).toFixed(2), r: Number(e.rotation ?? 0) }) : '';
  const what = r.kind === 'tables' ? tableName(e as unknown as LayoutTable)
    : t(`designer.kind.${r.kind}`, { label: String(e.label ?? e.text ?? '') });
  return t('designer.sel.one', { what, where });
}

export function Canvas(props: { readOnly: boolean; venueId: string }) {
  const svgRef = useRef<SVGSVGElement>(null);
  const g = useRef<Gesture | null>(null);
  const frame = useRef(0);
  const pending = useRef<PointerEvent | null>(null);
  const space = useRef(false);
  const [wall, setWall] = useState<LayoutPoint[] | null>(null);
  const [hover, setHover] = useState<LayoutPoint | null>(null);
  const [marquee, setMarquee] = useState<Rect | null>(null);
  const layout = doc.value;
  const refs = sel.value;
  const v = view.value;
  const report = reach.value;
  const grid = layout.grid;
  const step = grid > 0 ? grid : 0.1;

  const tableClass = useMemo(() => {
    const bad = new Set(report?.tables.filter((x) => x.problem).map((x) => x.table_id));
    return (tb: LayoutTable) => (bad.has(tb.id) ? 'unreachable' : undefined);
  }, [report]);
  const tableNote = useMemo(() => {
    const bad = new Map(report?.tables.filter((x) => x.problem).map((x) => [x.table_id, x]));
    const on = checked.peek();
    return (tb: LayoutTable) => {
      const r = bad.get(tb.id);
      return r ? problemReason(on, r) : undefined;
    };
  }, [report, lang.value]);

  const svgEl = () => svgRef.current as SVGSVGElement;
  /** Metres per screen pixel (the view is fitted into the element, keeping its aspect). */
  const mpp = () => {
    const r = svgRef.current?.getBoundingClientRect();
    return r && r.width > 0 ? Math.max(v.w / r.width, v.h / r.height) : v.w / 1000;
  };
  const toM = (e: { clientX: number; clientY: number }): LayoutPoint => {
    const ctm = svgEl().getScreenCTM();
    if (!ctm) return { x: 0, y: 0 };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  };

  const place = (p: LayoutPoint, which: Tool) => {
    const at = snapPoint(p, grid);
    let kind: ElementRef['kind'];
    let el: Layout[ElementRef['kind']][number];
    const tb = TABLE[which];
    const ob = OBSTACLE[which];
    if (tb) {
      kind = 'tables';
      el = { id: newId(kind), label: nextTableLabel(layout.tables), ...tb, ...at, rotation: 0, tags: [] };
    } else if (ob) {
      kind = 'obstacles';
      el = { id: newId(kind), label: t(`designer.tool.${ob.kind}`), ...ob, ...at, rotation: 0 };
    } else if (which === 'door') {
      kind = 'doors';
      const used = new Set(layout.doors.map((d) => d.label));
      let n = 0;
      while (used.has(n < 26 ? String.fromCharCode(65 + n) : String(n + 1))) n++;
      el = { id: newId(kind), label: n < 26 ? String.fromCharCode(65 + n) : String(n + 1), ...at };
    } else if (which === 'zone') {
      kind = 'zones';
      el = { id: newId(kind), label: t('designer.new_zone'), ...at, w: 6, h: 4, rotation: 0 };
    } else {
      kind = 'labels';
      el = { id: newId(kind), text: t('designer.new_label'), ...at, size: 0.6, rotation: 0 };
    }
    commit(addEl(layout, kind, el));
    select([{ kind, id: el.id }]);
  };

  const finishWall = () => {
    const pts = wall ? dedupe(wall) : [];
    if (pts.length >= 2) {
      const w: LayoutWall = { id: newId('walls'), points: pts };
      commit(addEl(doc.value, 'walls', w));
      select([{ kind: 'walls', id: w.id }]);
    }
    setWall(null);
  };

  const apply = (e: PointerEvent) => {
    const ge = g.current;
    if (!ge) return;
    if (ge.type === 'pan') {
      view.value = { ...view.value, x: ge.v0.x - (e.clientX - ge.x0) * ge.mpp, y: ge.v0.y - (e.clientY - ge.y0) * ge.mpp };
      return;
    }
    const p = toM(e);
    if (ge.type === 'marquee') {
      const r = { x: Math.min(ge.p0.x, p.x), y: Math.min(ge.p0.y, p.y), w: Math.abs(p.x - ge.p0.x), h: Math.abs(p.y - ge.p0.y) };
      setMarquee(r);
      const inside = elementsInRect(doc.value, r);
      const keys = new Set(ge.base.map((x) => `${x.kind}:${x.id}`));
      select([...ge.base, ...inside.filter((x) => !keys.has(`${x.kind}:${x.id}`))]);
    } else if (ge.type === 'move') {
      const to = snapPoint({ x: ge.anchor.x + p.x - ge.p0.x, y: ge.anchor.y + p.y - ge.p0.y }, grid);
      commit(moveElements(ge.start, ge.refs, to.x - ge.anchor.x, to.y - ge.anchor.y), ge.key);
    } else if (ge.type === 'rotate') {
      const delta = angleOf(ge.centre, p) - ge.a0;
      let deg: number;
      if (e.shiftKey) deg = delta;
      else if (ge.base !== null) deg = snapAngle(ge.base + delta) - ge.base;
      else deg = snapAngle(delta);
      commit(normalizeAngle(deg) === 0 ? ge.start : rotateElements(ge.start, ge.refs, normalizeAngle(deg)), ge.key);
    } else {
      const el = findEl(ge.start, ge.ref) as unknown as Box & { shape?: string };
      const c = { x: el.x, y: el.y };
      const local = rotatePoint(p, c, -el.rotation);
      const round = ge.ref.kind === 'tables' && el.shape === 'round';
      const h0 = round ? el.w : el.h;
      const fx = c.x - (ge.sx * el.w) / 2;
      const fy = c.y - (ge.sy * h0) / 2;
      const min = ge.ref.kind === 'tables' ? 0.3 : 0.1;
      let w = Math.max(min, snap(Math.abs(local.x - fx), grid));
      let h = Math.max(min, snap(Math.abs(local.y - fy), grid));
      if (round) w = h = Math.max(w, h);
      const centre = rotatePoint({ x: fx + (ge.sx * w) / 2, y: fy + (ge.sy * h) / 2 }, c, el.rotation);
      const list = ge.start[ge.ref.kind] as ReadonlyArray<{ id: string }>;
      commit({ ...ge.start, [ge.ref.kind]: list.map((x) => (x.id === ge.ref.id ? { ...x, ...centre, w, h } : x)) }, ge.key);
    }
  };

  const onPointerMove = (e: PointerEvent) => {
    if (!g.current) {
      if (wall && !props.readOnly) setHover(snapPoint(toM(e), grid));
      return;
    }
    pending.current = e;
    if (!frame.current) {
      frame.current = requestAnimationFrame(() => {
        frame.current = 0;
        const last = pending.current;
        pending.current = null;
        if (last) apply(last);
      });
    }
  };

  const end = () => {
    if (frame.current) cancelAnimationFrame(frame.current);
    frame.current = 0;
    if (pending.current) apply(pending.current);
    pending.current = null;
    const ge = g.current;
    g.current = null;
    setMarquee(null);
    if (ge && ge.type !== 'pan' && ge.type !== 'marquee') {
      seal();
      gesture.value = false;
      scheduleReach();
    }
  };

  const onPointerDown = (e: PointerEvent) => {
    const svg = svgEl();
    svg.focus({ preventScroll: true });
    if (e.button === 1 || (e.button === 0 && space.current) || (props.readOnly && e.button === 0)) {
      e.preventDefault();
      svg.setPointerCapture(e.pointerId);
      g.current = { type: 'pan', x0: e.clientX, y0: e.clientY, v0: { x: v.x, y: v.y }, mpp: mpp() };
      return;
    }
    if (e.button !== 0) return;
    const p = toM(e);
    const picks = scalePick.value;
    if (picks) {
      scalePick.value = picks.length >= 2 ? [p] : [...picks, p];
      return;
    }
    const which = tool.value;
    if (which === 'wall') {
      const at = snapPoint(p, grid);
      setWall([...(wall ?? []), at]);
      setHover(at);
      return;
    }
    if (which !== 'select') {
      place(p, which);
      return;
    }
    const handle = (e.target as Element).closest('[data-handle]');
    svg.setPointerCapture(e.pointerId);
    const key = `g${e.timeStamp}`;
    if (handle && refs.length) {
      gesture.value = true;
      const kind = handle.getAttribute('data-handle');
      if (kind === 'rotate') {
        const box = refs.length === 1 ? boxOf(layout, refs[0]!) : null;
        const centre = box ? { x: box.x, y: box.y } : selectionCentre(layout, refs)!;
        g.current = { type: 'rotate', start: layout, refs, centre, a0: angleOf(centre, p), base: box ? box.rotation : null, key };
      } else {
        g.current = { type: 'resize', start: layout, ref: refs[0]!, sx: Number(handle.getAttribute('data-sx')), sy: Number(handle.getAttribute('data-sy')), key };
      }
      return;
    }
    const hit = hitTest(layout, p, Math.max(0.3, 6 * mpp()));
    if (!hit) {
      g.current = { type: 'marquee', p0: p, base: e.shiftKey ? refs : [] };
      if (!e.shiftKey) select([]);
      return;
    }
    if (e.shiftKey) {
      toggle(hit);
      if (!isSelected(hit)) return;
    } else if (!isSelected(hit)) select([hit]);
    const moving = sel.value;
    gesture.value = true;
    g.current = { type: 'move', start: layout, refs: moving, p0: p, anchor: selectionCentre(layout, moving) ?? p, key };
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key;
    const edit = !props.readOnly;
    let handled = true;
    if (k === ' ') space.current = true;
    else if (ctrl && (k === 'z' || k === 'Z') && edit) (e.shiftKey ? redo : undo)();
    else if (ctrl && (k === 'y' || k === 'Y') && edit) redo();
    else if (ctrl && (k === 'a' || k === 'A')) select(allRefs(layout));
    else if (ctrl && (k === 'c' || k === 'C')) copySelection();
    else if (ctrl && (k === 'v' || k === 'V') && edit) paste();
    else if (ctrl && (k === 'd' || k === 'D') && edit) duplicateSelection();
    else if (k === '+' || k === '=') zoom(1.25);
    else if (k === '-' || k === '_') zoom(0.8);
    else if (k === 'Escape') {
      if (wall) setWall(null);
      else if (scalePick.value) scalePick.value = null;
      else if (tool.value !== 'select') tool.value = 'select';
      else select([]);
    } else if (k === 'Enter' && wall) finishWall();
    else if (k === 'Backspace' && wall) setWall(wall.length > 1 ? wall.slice(0, -1) : null);
    else if ((k === 'Delete' || k === 'Backspace') && edit) deleteSelection();
    else if (k.startsWith('Arrow') && !ctrl) {
      const d = step * (e.shiftKey ? 10 : 1);
      const dx = k === 'ArrowLeft' ? -d : k === 'ArrowRight' ? d : 0;
      const dy = k === 'ArrowUp' ? -d : k === 'ArrowDown' ? d : 0;
      if (refs.length && edit) nudge(dx, dy);
      else pan(dx, dy);
    } else if ((k === 'r' || k === 'R') && !ctrl && edit) rotateSelection(e.shiftKey ? -15 : 15);
    else if (k === 'Tab') {
      const all = allRefs(layout);
      const cur = refs.length === 1 ? all.findIndex((r) => r.kind === refs[0]!.kind && r.id === refs[0]!.id) : -1;
      const next = e.shiftKey ? (cur < 0 ? all.length - 1 : cur - 1) : cur + 1;
      // Past either end, Tab leaves the canvas as it would anywhere else.
      if (all.length === 0 || next < 0 || next >= all.length) {
        handled = false;
      } else select([all[next]!]);
    } else handled = false;
    if (handled) e.preventDefault();
  };

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    if (e.ctrlKey) zoom(Math.exp(-e.deltaY * 0.002), toM(e));
    else {
      const m = mpp();
      pan(e.deltaX * m, e.deltaY * m);
    }
  };

  const px = mpp();
  const overlay = selectionOverlay(layout, refs, px, props.readOnly);
  const route = shownRoute.value;
  const picks = scalePick.value;
  const svgProps: JSX.SVGAttributes<SVGSVGElement> = {
    class: `designer-canvas tool-${tool.value}`,
    tabIndex: 0,
    role: 'application',
    'aria-label': t('designer.canvas'),
    'aria-describedby': 'designer-keys designer-selection',
    onPointerDown,
    onPointerMove,
    onPointerUp: end,
    onPointerCancel: end,
    onDblClick: () => { if (wall) finishWall(); },
    onKeyDown,
    onKeyUp: (e: KeyboardEvent) => { if (e.key === ' ') space.current = false; },
    onWheel,
    onBlur: () => { space.current = false; },
  };
  return (
    <div class="canvas-wrap">
      <PlanSvg layout={layout} venueId={props.venueId} view={v} tableClass={tableClass} tableNote={tableNote} svgRef={svgRef} svg={svgProps}
        under={grid > 0 && px * 8 < grid ? <GridLines w={layout.width} h={layout.height} step={grid} /> : null}>
        {overlay}
        {wall && (
          <g class="wall-draft" data-testid="wall-draft">
            <polyline points={poly(hover ? [...wall, hover] : wall)} />
            {wall.map((p, i) => <circle key={i} cx={p.x} cy={p.y} r={4 * px} />)}
          </g>
        )}
        {marquee && <rect class="marquee" data-testid="marquee" x={marquee.x} y={marquee.y} width={marquee.w} height={marquee.h} />}
        {route?.ok && <polyline class="route" data-testid="route" points={poly(route.path)} />}
        {picks?.map((p, i) => <circle key={i} class="scale-pick" cx={p.x} cy={p.y} r={5 * px} />)}
      </PlanSvg>
      <p id="designer-selection" class="selection-info" aria-live="polite" data-testid="selection-info">{describeSelection(layout, refs)}</p>
      <p id="designer-keys" class="sr-only">{t(props.readOnly ? 'designer.keys_readonly' : 'designer.keys')}</p>
    </div>
  );
}

function GridLines(props: { w: number; h: number; step: number }) {
  const d: string[] = [];
  for (let x = props.step; x < props.w; x += props.step) d.push(`M${x} 0V${props.h}`);
  for (let y = props.step; y < props.h; y += props.step) d.push(`M0 ${y}H${props.w}`);
  return <path class="grid-lines" d={d.join('')} />;
}

/** The selected elements' outlines, and for a selection that can turn or be resized its handles. */
function selectionOverlay(layout: Layout, refs: readonly ElementRef[], px: number, readOnly: boolean) {
  if (refs.length === 0) return null;
  const out: JSX.Element[] = [];
  for (const r of refs) {
    const e = findEl(layout, r);
    if (!e) continue;
    const key = `${r.kind}:${r.id}`;
    if (r.kind === 'walls') out.push(<polyline key={key} class="sel-outline" points={poly((e as LayoutWall).points)} />);
    else if (r.kind === 'doors') out.push(<circle key={key} class="sel-outline" cx={(e as LayoutPoint).x} cy={(e as LayoutPoint).y} r={0.5} />);
    else out.push(<polygon key={key} class="sel-outline" points={poly(corners(boxOf(layout, r)!))} />);
  }
  if (!readOnly) {
    const single = refs.length === 1 ? refs[0]! : null;
    const box = single ? boxOf(layout, single) : null;
    const b = box ?? elementBounds(layout, refs[0]!);
    const rotatable = box !== null || refs.length > 1 || single?.kind === 'walls';
    if (rotatable && b) {
      const bb = box ?? selectionBoxOf(layout, refs);
      const top = rotatePoint({ x: bb.x, y: bb.y - bb.h / 2 - 28 * px }, bb, bb.rotation);
      out.push(<circle key="rot" class="handle rotate" data-handle="rotate" data-testid="rotate-handle" cx={top.x} cy={top.y} r={7 * px} />);
    }
    if (box && single && single.kind !== 'labels') {
      const cs = corners(box);
      const signs = [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const;
      cs.forEach((c, i) => {
        const [sx, sy] = signs[i]!;
        out.push(<rect key={`rz${i}`} class="handle resize" data-handle="resize" data-sx={sx} data-sy={sy} data-testid={`resize-${i}`} x={c.x - 5 * px} y={c.y - 5 * px} width={10 * px} height={10 * px} />);
      });
    }
  }
  return <g class="selection" data-testid="selection">{out}</g>;
}

function selectionBoxOf(layout: Layout, refs: readonly ElementRef[]): Box {
  const c = selectionCentre(layout, refs)!;
  let h = 0;
  for (const r of refs) {
    const b = elementBounds(layout, r);
    if (b) h = Math.max(h, 2 * Math.max(Math.abs(b.y - c.y), Math.abs(b.y + b.h - c.y)));
  }
  return { x: c.x, y: c.y, w: 0, h, rotation: 0 };
}
