// The guest list as a virtualised grid: every row is --row (40 px) high, and only the rows in view (plus a few
// either side) are in the DOM, so 20,000 guests scroll and filter as smoothly as 20. The grid takes the focus; arrow
// keys, Page Up/Down, Home and End move the active row (aria-activedescendant), Enter opens it.
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GuestRow } from '../../../../core/console/guests';
import { dateTime, num, t } from '../i18n';

export const ROW_HEIGHT = 40;
const OVERSCAN = 6;

export function GuestGrid(props: { rows: readonly GuestRow[]; timeZone?: string; onOpen: (g: GuestRow) => void }) {
  const { rows } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [active, setActive] = useState(0);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    setHeight(el.clientHeight || 600);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A new filter shows its first rows.
  useEffect(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
    setActive(0);
  }, [rows]);

  const count = rows.length;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const activeIndex = Math.min(active, Math.max(0, count - 1));

  const moveTo = (i: number) => {
    const next = Math.max(0, Math.min(count - 1, i));
    setActive(next);
    const el = viewport.current;
    if (!el) return;
    const top = next * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    setScrollTop(el.scrollTop);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!count) return;
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(activeIndex + 1),
      ArrowUp: () => moveTo(activeIndex - 1),
      PageDown: () => moveTo(activeIndex + page),
      PageUp: () => moveTo(activeIndex - page),
      Home: () => moveTo(0),
      End: () => moveTo(count - 1),
      Enter: () => {
        const g = rows[activeIndex];
        if (g) props.onOpen(g);
      },
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const visible: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const g = rows[i] as GuestRow;
    visible.push(
      <div
        key={g.id}
        id={`guest-row-${i}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={i === activeIndex}
        class="grid-row"
        data-guest={g.id}
        data-status={g.status}
        style={{ top: `${i * ROW_HEIGHT}px` }}
        onClick={() => {
          setActive(i);
          props.onOpen(g);
        }}
      >
        <span role="gridcell" class="name">{g.name}</span>
        <span role="gridcell">{num(g.party_size)}</span>
        <span role="gridcell">{g.table_label ?? t('guests.unseated')}</span>
        <span role="gridcell">{t(`guests.status.${g.status}`)}</span>
        <span role="gridcell">{g.checked_in_at ? dateTime(g.checked_in_at, props.timeZone) : t('guests.not_checked_in')}</span>
        <span role="gridcell">{g.group ?? ''}</span>
        <span role="gridcell">{g.needs.map((n) => <span class="badge" key={n}>{n}</span>)}</span>
      </div>,
    );
  }

  return (
    <div
      class="grid"
      role="grid"
      tabIndex={0}
      aria-label={t('guests.list_label')}
      aria-rowcount={count + 1}
      aria-colcount={7}
      aria-activedescendant={count ? `guest-row-${activeIndex}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} class="grid-head">
          <span role="columnheader">{t('guests.col_name')}</span>
          <span role="columnheader">{t('guests.col_party')}</span>
          <span role="columnheader">{t('guests.col_table')}</span>
          <span role="columnheader">{t('guests.col_status')}</span>
          <span role="columnheader">{t('guests.col_checked_in')}</span>
          <span role="columnheader">{t('guests.col_group')}</span>
          <span role="columnheader">{t('guests.col_needs')}</span>
        </div>
      </div>
      <div class="grid-viewport" ref={viewport} role="rowgroup" onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        <div class="grid-spacer" style={{ height: `${count * ROW_HEIGHT}px` }}>{visible}</div>
      </div>
    </div>
  );
}
