// The room on paper: the published plan scaled to the page, table labels as the plan draws them (large enough to
// read at A4 for rooms of a few hundred tables), the seated count under each.
import { useMemo } from 'preact/hooks';
import type { LayoutTable } from '../../../../../core/designer/layout';
import { PlanSvg, tableFont } from '../plan/plan-svg';
import { num, t } from '../../i18n';
import type { ChartView } from '../seating';

export function RoomDrawing(props: { view: ChartView }) {
  const v = props.view;
  const extra = useMemo(() => (tb: LayoutTable) => {
    const x = v.byId.get(tb.id);
    if (!x) return null;
    const f = tableFont(tb);
    return <text class="seat-count" x={tb.x} y={tb.y + f * 0.95} font-size={f * 0.7} text-anchor="middle" dominant-baseline="central">{num(x.seated)}/{num(x.table.capacity)}</text>;
  }, [v]);
  return (
    <div class="room-drawing">
      <PlanSvg layout={v.layout!} venueId={v.chart.venue_id} tableExtra={extra} svg={{ role: 'img', 'aria-label': t('print.room_label'), preserveAspectRatio: 'xMidYMid meet' }} />
    </div>
  );
}
