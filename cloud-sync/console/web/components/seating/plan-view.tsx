// The seating chart drawn on the room (components/plan/plan-svg.tsx): each table says "seated/capacity" under its
// label and names its first parties below it; full tables and the table under a dragged party are marked. A party
// is dragged from the lists (lists.tsx) onto a table here; the cards below say the same for screen readers.
import { useMemo, useRef } from 'preact/hooks';
import type { VNode } from 'preact';
import type { LayoutTable } from '../../../../../core/designer/layout';
import { PlanSvg, tableFont } from '../plan/plan-svg';
import { num, t } from '../../i18n';
import type { ChartView, TableView } from './chart-data';
import { drag } from './drag';
import type { PartyActions } from './lists';

const NAMES_SHOWN = 3;
const NAME_CHARS = 16;
const truncate = (s: string) => (s.length > NAME_CHARS ? `${s.slice(0, NAME_CHARS - 1)}…` : s);

/** Half the table's extent downwards, chairs included (a rotated table: its longer half, near enough for text). */
function below(tb: LayoutTable): number {
  const half = tb.shape === 'round' ? tb.w / 2 : tb.rotation % 180 === 0 ? tb.h / 2 : Math.max(tb.w, tb.h) / 2;
  return half + 0.7;
}

/** What a table carries on the plan: the count and the first names. */
function extraFor(tb: LayoutTable, v: TableView | undefined): VNode | null {
  const f = tableFont(tb);
  if (!v) return null;
  const names = v.parties.slice(0, NAMES_SHOWN).map((p) => truncate(p.name));
  const more = v.parties.length - names.length;
  const y0 = tb.y + below(tb);
  const nameSize = 0.3;
  return (
    <g class="seat-extra" data-testid={`plan-seats-${tb.id}`}>
      <text class="seat-count" x={tb.x} y={tb.y + f * 0.95} font-size={f * 0.7} text-anchor="middle" dominant-baseline="central">{num(v.seated)}/{num(v.table.capacity)}</text>
      {names.map((n, i) => (
        <text key={i} class="seat-name" x={tb.x} y={y0 + i * nameSize * 1.15} font-size={nameSize} text-anchor="middle" dominant-baseline="hanging">{n}</text>
      ))}
      {more > 0 && <text class="seat-name more" x={tb.x} y={y0 + names.length * nameSize * 1.15} font-size={nameSize} text-anchor="middle" dominant-baseline="hanging">{t('seating.more_parties', { n: num(more) })}</text>}
    </g>
  );
}

export function PlanView(props: { view: ChartView; actions: PartyActions }) {
  const { view } = props;
  const layout = view.layout!;
  const over = drag.value?.over ?? null;
  // The same VNode for a table whose count and names did not change, so PlanSvg re-renders only the tables that did.
  const cache = useRef(new Map<string, { key: string; node: VNode | null }>());
  const tableExtra = useMemo(() => (tb: LayoutTable) => {
    const v = view.byId.get(tb.id);
    const key = v ? `${v.seated}/${v.table.capacity}|${v.parties.map((p) => p.name).join('\u0000')}|${tb.x},${tb.y},${tb.w},${tb.h},${tb.rotation}` : '';
    const hit = cache.current.get(tb.id);
    if (hit && hit.key === key) return hit.node;
    const node = extraFor(tb, v);
    cache.current.set(tb.id, { key, node });
    return node;
  }, [view]);
  const tableClass = useMemo(() => (tb: LayoutTable) => {
    const v = view.byId.get(tb.id);
    const cls = !v ? 'seat-unknown' : v.free < 0 ? 'seat-over' : v.free === 0 ? 'seat-full' : v.seated > 0 ? 'seat-some' : 'seat-empty';
    return over === tb.id ? `${cls} drop-over` : cls;
  }, [view, over]);
  return (
    <div class="seating-plan" data-testid="seating-plan">
      <PlanSvg layout={layout} venueId={view.chart.venue_id} tableClass={tableClass} tableExtra={tableExtra} svg={{ role: 'img', 'aria-label': t('seating.plan_label') }} />
    </div>
  );
}
