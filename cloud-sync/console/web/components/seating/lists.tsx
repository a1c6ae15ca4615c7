// The chart without the plan: a card per table with its parties and free seats, and the side list of unseated parties
// with an accent-insensitive search. Every party is a button (choose it: the panel opens) that can also be dragged;
// every card and the unseated list are drop targets. Works for screen readers and without a published room.
import { useMemo, useState } from 'preact/hooks';
import type { ChartParty } from '../../../../../core/console/seating';
import { fold } from '../../../../../core/console/guest-filter';
import { num, t } from '../../i18n';
import type { ChartView, TableView } from './chart-data';
import { clickAfterDrag, drag, partyPointerDown } from './drag';

export interface PartyActions {
  /** Null: read-only (a viewer), nothing drags. */
  onDrop: ((guestId: string, tableId: string | null) => void) | null;
  onChoose: (guestId: string) => void;
  chosen: string | null;
}

export function PartyChip(props: { party: ChartParty; actions: PartyActions }) {
  const p = props.party;
  const a = props.actions;
  const label = t('seating.party_label', { name: p.name, n: p.party_size }) + (p.locked ? ` ${t('seating.locked_mark')}` : '');
  return (
    <button
      type="button"
      class={`party-chip${a.chosen === p.guest_id ? ' chosen' : ''}${a.onDrop ? ' draggable' : ''}`}
      data-party={p.guest_id}
      aria-pressed={a.chosen === p.guest_id}
      aria-label={label}
      onPointerDown={a.onDrop ? partyPointerDown(p.guest_id, p.name, a.onDrop) : undefined}
      onClick={() => {
        if (!clickAfterDrag()) a.onChoose(p.guest_id);
      }}
    >
      <span class="party-name">{p.name}</span>
      {p.party_size > 1 && <span class="party-size" aria-hidden="true">×{p.party_size}</span>}
      {p.locked && <span class="party-lock" aria-hidden="true">🔒</span>}
    </button>
  );
}

export function seatsText(v: TableView): string {
  return v.free >= 0 ? t('seating.seated_free', { seated: num(v.seated), capacity: num(v.table.capacity), free: num(v.free) }) : t('seating.seated_over', { seated: num(v.seated), capacity: num(v.table.capacity), over: num(-v.free) });
}

export function TableCards(props: { view: ChartView; actions: PartyActions }) {
  const over = drag.value?.over ?? null;
  return (
    <ul class="table-cards" aria-label={t('seating.tables_list')}>
      {props.view.tables.map((v) => (
        <li
          key={v.table.id}
          class={`table-card${v.free <= 0 ? ' full' : ''}${over === v.table.id ? ' drop-over' : ''}`}
          data-drop-table={v.table.id}
          data-testid={`card-${v.table.id}`}
          aria-labelledby={`card-title-${v.table.id}`}
        >
          <h3 id={`card-title-${v.table.id}`}>
            <span class="card-label">{v.table.label}</span> <span class="card-seats" data-testid={`card-seats-${v.table.id}`}>{num(v.seated)}/{num(v.table.capacity)}</span>
          </h3>
          <p class="muted small">{seatsText(v)}{v.table.tags.length > 0 && ` · ${v.table.tags.join(', ')}`}</p>
          {v.parties.length === 0 ? <p class="muted small">{t('seating.empty_table')}</p> : (
            <ul class="party-list">
              {v.parties.map((p) => <li key={p.guest_id}><PartyChip party={p} actions={props.actions} /></li>)}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

export function UnseatedList(props: { view: ChartView; actions: PartyActions }) {
  const [q, setQ] = useState('');
  const all = props.view.unseated;
  const index = useMemo(() => all.map((p) => fold(`${p.name}\u0000${p.group ?? ''}`)), [all]);
  const needle = fold(q.trim());
  const shown = needle ? all.filter((_, i) => (index[i] as string).includes(needle)) : all;
  const people = all.reduce((s, p) => s + p.party_size, 0);
  const over = drag.value?.over === '';
  return (
    <aside class={`unseated${over ? ' drop-over' : ''}`} aria-labelledby="unseated-title" data-drop-table="">
      <h2 id="unseated-title">{t('seating.unseated_title')}</h2>
      <p class="muted small" data-testid="unseated-count">{t('seating.unseated_count', { parties: num(all.length), people: num(people) })}</p>
      <div class="field">
        <label for="unseated-search">{t('seating.search')}</label>
        <input id="unseated-search" type="search" autocomplete="off" spellcheck={false} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      {all.length === 0 ? <p class="muted">{t('seating.all_seated')}</p> : shown.length === 0 ? <p class="muted">{t('seating.no_match')}</p> : (
        <ul class="party-list" aria-label={t('seating.unseated_title')}>
          {shown.map((p) => <li key={p.guest_id}><PartyChip party={p} actions={props.actions} /></li>)}
        </ul>
      )}
    </aside>
  );
}
