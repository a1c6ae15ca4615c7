// The floor map of the welcome screen: the plan drawn once as SVG, then per guest only the route and the highlighted table
// change (a few attributes), so showing a route costs a look-up in the door's distance field plus a few DOM writes.
import type { SyncFloorPlan, SyncTable } from '../../core/contract/contract';
import { buildDoorField, buildWalkGrid, routeFromField, type DoorField, type Route, type WalkGrid } from '../../core/wayfinding/wayfinding';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

export class FloorMap {
  readonly svg: SVGSVGElement;
  private readonly grid: WalkGrid | null;
  /** Distances from this kiosk's door, computed once at start-up: each guest's route is then a look-up. */
  private readonly field: DoorField | null;
  private readonly tableNodes = new Map<string, SVGElement>();
  private readonly route: SVGPolylineElement;
  private readonly here: SVGGElement;
  private readonly targetLabel: SVGTextElement;
  private highlighted: SVGElement | null = null;

  constructor(
    plan: SyncFloorPlan | null,
    tables: readonly SyncTable[],
    private readonly doorId: string,
    youAreHere: string,
  ) {
    const w = plan?.width ?? 10;
    const h = plan?.height ?? 10;
    this.svg = el('svg', { viewBox: `-1 -1 ${w + 2} ${h + 2}`, class: 'floor-map', role: 'img', 'data-testid': 'route-map' });
    this.grid = plan ? buildWalkGrid(plan, tables) : null;
    this.field = this.grid ? buildDoorField(this.grid, doorId) : null;
    el('rect', { x: 0, y: 0, width: w, height: h, class: 'floor' }, this.svg);
    for (const o of plan?.obstacles ?? []) el('rect', { x: o.x, y: o.y, width: o.w, height: o.h, class: 'obstacle' }, this.svg);
    for (const t of tables) {
      const node =
        t.shape === 'round'
          ? el('ellipse', { cx: t.x + t.w / 2, cy: t.y + t.h / 2, rx: t.w / 2, ry: t.h / 2, class: 'table' }, this.svg)
          : el('rect', { x: t.x, y: t.y, width: t.w, height: t.h, class: 'table' }, this.svg);
      node.setAttribute('data-table', t.id);
      this.tableNodes.set(t.id, node);
    }
    for (const wall of plan?.walls ?? []) el('line', { x1: wall.x1, y1: wall.y1, x2: wall.x2, y2: wall.y2, class: 'wall' }, this.svg);
    this.route = el('polyline', { points: '', class: 'route', 'data-testid': 'route-path' }, this.svg);
    this.targetLabel = el('text', { class: 'target-label', 'text-anchor': 'middle', 'dominant-baseline': 'central' }, this.svg);
    const door = plan?.doors.find((d) => d.id === doorId);
    this.here = el('g', { class: 'here' }, this.svg);
    if (door) {
      el('circle', { cx: door.x, cy: door.y, r: 0.9 }, this.here);
      const label = el('text', { x: door.x, y: door.y - 1.4, 'text-anchor': 'middle' }, this.here);
      label.textContent = youAreHere;
    }
  }

  /** Draw the way to a table; returns the route (status 'no_route' still highlights the table). */
  show(tableId: string | null): Route {
    this.highlighted?.classList.remove('target');
    this.highlighted = null;
    const route: Route = this.grid ? routeFromField(this.grid, this.field, tableId) : { status: 'no_route', table: null, path: [], length_m: 0 };
    const node = route.table ? this.tableNodes.get(route.table.id) : undefined;
    if (node) {
      node.classList.add('target');
      this.highlighted = node;
    }
    const t = route.table;
    this.targetLabel.textContent = t ? t.label : '';
    this.targetLabel.setAttribute('x', t ? String(t.x + t.w / 2) : '0');
    this.targetLabel.setAttribute('y', t ? String(t.y + t.h / 2) : '0');
    this.route.setAttribute('points', route.path.map((p) => `${p.x.toFixed(2)},${p.y.toFixed(2)}`).join(' '));
    this.svg.setAttribute('data-route', route.status);
    return route;
  }
}
