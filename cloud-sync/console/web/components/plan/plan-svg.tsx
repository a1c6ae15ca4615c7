// A static drawing of a venue's layout (core/designer/layout.ts) as one SVG in metres: the background image, the room,
// zones, obstacles, walls, tables with their chairs, doors and labels. The designer, the seating chart and the print
// pages all draw on it and decorate tables through props. Every element is a memoised component compared by object
// identity: layouts change with structural sharing, so moving one table re-renders that table and nothing else.
import { Component, type ComponentChildren, type JSX, type Ref, type VNode } from 'preact';
import { chairPositions } from '../../../../../core/designer/geometry';
import type {
  Layout, LayoutDoor, LayoutLabel, LayoutObstacle, LayoutTable, LayoutWall, LayoutZone,
} from '../../../../../core/designer/layout';
import { api } from '../../api';
import { t as tr } from '../../i18n';

export interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlanSvgProps {
  layout: Layout;
  /** The venue whose background image the layout names (no venue: no image drawn). */
  venueId?: string | null;
  /** The part of the room shown, in metres (default: the whole room with 1 m around it). */
  view?: ViewBox;
  /**
   * Extra classes of a table's group (e.g. 'unreachable', 'full', 'drop-target'). Called for every table when the
   * tables array or this function changes identity: keep it stable (useMemo/useCallback) while its answers do not change.
   */
  tableClass?: (t: LayoutTable) => string | undefined;
  /** Said after the table's name to screen readers (e.g. why no door reaches it). Called like tableClass. */
  tableNote?: (t: LayoutTable) => string | undefined;
  /**
   * Drawn inside the table's group after its top, chairs and label (e.g. the chart's "6/8" and names). Called like
   * tableClass; a table re-renders when the result is a different object, so return the same VNode for an unchanged
   * table (cache it) to let the others skip re-rendering.
   */
  tableExtra?: (t: LayoutTable) => VNode | null;
  /** A pointer went down on a table (delegated: one listener for all tables). */
  onTablePointerDown?: (t: LayoutTable, e: PointerEvent) => void;
  /** Drawn over everything, in the same metres (selection outlines, a route, a drag preview). */
  children?: ComponentChildren;
  /** Drawn on the room's floor, under every element (a grid). */
  under?: ComponentChildren;
  svgRef?: Ref<SVGSVGElement>;
  /** Anything else the <svg> should carry: class, role, aria-*, tabIndex, event handlers. */
  svg?: JSX.SVGAttributes<SVGSVGElement>;
}

/** The view of the whole room with a metre around it. */
export function roomView(layout: Layout, margin = 1): ViewBox {
  return { x: -margin, y: -margin, w: layout.width + 2 * margin, h: layout.height + 2 * margin };
}

/** A component that re-renders only when one of its props is a different value (by ===). */
abstract class Pure<P> extends Component<P> {
  override shouldComponentUpdate(next: P): boolean {
    const prev = this.props as Record<string, unknown>;
    for (const k in next) if ((next as Record<string, unknown>)[k] !== prev[k]) return true;
    return false;
  }
}

const rot = (deg: number, x: number, y: number) => (deg ? `rotate(${deg} ${x} ${y})` : undefined);
const pts = (points: readonly { x: number; y: number }[]) => points.map((p) => `${p.x},${p.y}`).join(' ');

/** The accessible name of a table: "Table 7, 8 seats". */
export function tableName(t: LayoutTable): string {
  return tr('designer.plan.table', { label: t.label, n: t.capacity });
}

/** The label's size on a table top: fits inside the smaller side, never larger than 0.6 m. */
export function tableFont(t: LayoutTable): number {
  return Math.min(0.6, 0.4 * (t.shape === 'round' ? t.w : Math.min(t.w, t.h)));
}

const CHAIR = 0.2;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * All of a table's chairs as one path (a square each, turned to face the table): one element per table instead of one
 * per chair keeps a plan of 300 tables light enough to repaint every frame of a drag.
 */
export function chairsPath(t: LayoutTable): string {
  let d = '';
  for (const c of chairPositions(t)) {
    const a = (c.facing * Math.PI) / 180;
    const ux = Math.cos(a) * CHAIR;
    const uy = Math.sin(a) * CHAIR;
    // Corners: centre ± u ± v, v = u turned a quarter.
    d += `M${r3(c.x + ux - uy)} ${r3(c.y + uy + ux)}L${r3(c.x + ux + uy)} ${r3(c.y + uy - ux)}L${r3(c.x - ux + uy)} ${r3(c.y - uy - ux)}L${r3(c.x - ux - uy)} ${r3(c.y - uy + ux)}Z`;
  }
  return d;
}

class TableEl extends Pure<{ t: LayoutTable; cls: string | undefined; note: string | undefined; extra: VNode | null | undefined }> {
  override render() {
    const { t, cls, note, extra } = this.props;
    const top = t.shape === 'round'
      ? <circle class="table-top" cx={t.x} cy={t.y} r={t.w / 2} />
      : <rect class="table-top" x={t.x - t.w / 2} y={t.y - t.h / 2} width={t.w} height={t.h} rx={0.05} transform={rot(t.rotation, t.x, t.y)} />;
    return (
      <g class={`table shape-${t.shape}${cls ? ` ${cls}` : ''}`} data-testid={`table-${t.id}`} data-kind="tables" data-id={t.id} role="group" aria-label={note ? `${tableName(t)}. ${note}` : tableName(t)}>
        <path class="chairs" d={chairsPath(t)} />
        {top}
        <text class="table-label" x={t.x} y={t.y} font-size={tableFont(t)} text-anchor="middle" dominant-baseline="central">{t.label}</text>
        {extra}
      </g>
    );
  }
}

class WallEl extends Pure<{ w: LayoutWall }> {
  override render() {
    const { w } = this.props;
    const p = pts(w.points);
    return (
      <g class="wall" data-testid={`wall-${w.id}`} data-kind="walls" data-id={w.id}>
        <polyline class="wall-hit" points={p} />
        <polyline class="wall-line" points={p} />
      </g>
    );
  }
}

class DoorEl extends Pure<{ d: LayoutDoor }> {
  override render() {
    const { d } = this.props;
    return (
      <g class="door" data-testid={`door-${d.id}`} data-kind="doors" data-id={d.id} role="img" aria-label={tr('designer.plan.door', { label: d.label })}>
        <circle class="door-mark" cx={d.x} cy={d.y} r={0.35} />
        <path class="door-arrow" d={`M${d.x - 0.15} ${d.y - 0.12}L${d.x + 0.15} ${d.y}L${d.x - 0.15} ${d.y + 0.12}Z`} />
        <text class="door-label" x={d.x} y={d.y - 0.55} font-size={0.4} text-anchor="middle">{d.label}</text>
      </g>
    );
  }
}

class ZoneEl extends Pure<{ z: LayoutZone }> {
  override render() {
    const { z } = this.props;
    return (
      <g class="zone" data-testid={`zone-${z.id}`} data-kind="zones" data-id={z.id} transform={rot(z.rotation, z.x, z.y)}>
        <rect class="zone-area" x={z.x - z.w / 2} y={z.y - z.h / 2} width={z.w} height={z.h} />
        <text class="zone-label" x={z.x - z.w / 2 + 0.2} y={z.y - z.h / 2 + 0.5} font-size={0.45}>{z.label}</text>
      </g>
    );
  }
}

class ObstacleEl extends Pure<{ o: LayoutObstacle }> {
  override render() {
    const { o } = this.props;
    return (
      <g class={`obstacle kind-${o.kind}`} data-testid={`obstacle-${o.id}`} data-kind="obstacles" data-id={o.id} transform={rot(o.rotation, o.x, o.y)}>
        {o.shape === 'round'
          ? <ellipse class="obstacle-shape" cx={o.x} cy={o.y} rx={o.w / 2} ry={o.h / 2} />
          : <rect class="obstacle-shape" x={o.x - o.w / 2} y={o.y - o.h / 2} width={o.w} height={o.h} />}
        {o.label && <text class="obstacle-label" x={o.x} y={o.y} font-size={Math.min(0.5, 0.4 * Math.min(o.w, o.h))} text-anchor="middle" dominant-baseline="central">{o.label}</text>}
      </g>
    );
  }
}

class LabelEl extends Pure<{ l: LayoutLabel }> {
  override render() {
    const { l } = this.props;
    return (
      <text class="plan-label" data-testid={`label-${l.id}`} data-kind="labels" data-id={l.id} x={l.x} y={l.y} font-size={l.size} text-anchor="middle" dominant-baseline="central" transform={rot(l.rotation, l.x, l.y)}>
        {l.text}
      </text>
    );
  }
}

// One layer per kind: an unchanged array (the same object) skips its whole layer.
class Walls extends Pure<{ items: LayoutWall[] }> {
  override render() { return <g class="layer-walls">{this.props.items.map((w) => <WallEl key={w.id} w={w} />)}</g>; }
}
class Doors extends Pure<{ items: LayoutDoor[] }> {
  override render() { return <g class="layer-doors">{this.props.items.map((d) => <DoorEl key={d.id} d={d} />)}</g>; }
}
class Zones extends Pure<{ items: LayoutZone[] }> {
  override render() { return <g class="layer-zones">{this.props.items.map((z) => <ZoneEl key={z.id} z={z} />)}</g>; }
}
class Obstacles extends Pure<{ items: LayoutObstacle[] }> {
  override render() { return <g class="layer-obstacles">{this.props.items.map((o) => <ObstacleEl key={o.id} o={o} />)}</g>; }
}
class Labels extends Pure<{ items: LayoutLabel[] }> {
  override render() { return <g class="layer-labels">{this.props.items.map((l) => <LabelEl key={l.id} l={l} />)}</g>; }
}
class Tables extends Pure<{ items: LayoutTable[]; cls: PlanSvgProps['tableClass']; note: PlanSvgProps['tableNote']; extra: PlanSvgProps['tableExtra']; down: (e: PointerEvent) => void }> {
  override render() {
    const { items, cls, note, extra, down } = this.props;
    return (
      <g class="layer-tables" onPointerDown={down}>
        {items.map((t) => <TableEl key={t.id} t={t} cls={cls?.(t)} note={note?.(t)} extra={extra?.(t)} />)}
      </g>
    );
  }
}

class Background extends Pure<{ layout: Layout; venueId: string | null | undefined }> {
  override render() {
    const b = this.props.layout.background;
    const v = this.props.venueId;
    if (!b || !v) return null;
    return (
      <image class="plan-background" data-testid="plan-background" href={api.imageUrl(v, b.image_id)} x={b.x} y={b.y}
        width={b.width_px * b.m_per_px} height={b.height_px * b.m_per_px} opacity={b.opacity} preserveAspectRatio="none" />
    );
  }
}

/** The layout drawn; see PlanSvgProps for what a caller can add. */
export class PlanSvg extends Component<PlanSvgProps> {
  // One stable listener, so the tables layer is not re-rendered for a new closure; it reads the current props.
  private readonly down = (e: PointerEvent) => {
    const cb = this.props.onTablePointerDown;
    if (!cb) return;
    const g = (e.target as Element).closest?.('[data-kind="tables"]');
    const id = g?.getAttribute('data-id');
    const table = id ? this.props.layout.tables.find((x) => x.id === id) : undefined;
    if (table) cb(table, e);
  };

  override render() {
    const { layout, venueId, tableClass, tableNote, tableExtra, children, under, svgRef, svg } = this.props;
    const v = this.props.view ?? roomView(layout);
    return (
      <svg {...svg} ref={svgRef} class={`plan${svg?.class ? ` ${String(svg.class)}` : ''}`} viewBox={`${v.x} ${v.y} ${v.w} ${v.h}`} xmlns="http://www.w3.org/2000/svg">
        <Background layout={layout} venueId={venueId} />
        <rect class="room" data-testid="room" x={0} y={0} width={layout.width} height={layout.height} />
        {under}
        <Zones items={layout.zones} />
        <Obstacles items={layout.obstacles} />
        <Walls items={layout.walls} />
        <Tables items={layout.tables} cls={tableClass} note={tableNote} extra={tableExtra} down={this.down} />
        <Doors items={layout.doors} />
        <Labels items={layout.labels} />
        {children}
      </svg>
    );
  }
}
