// The printed pieces of a seating chart, each `.sheet` one A4 page (styles/print.css: @page, page breaks, cut and fold
// lines): the chart (the room, then a page per table), escort cards (name → table, 3 × 7 a page), place cards (a
// folded tent card per party, 2 × 4 a page) and table signs (a page per table, its label very large).
import type { ComponentChildren } from 'preact';
import type { ChartParty } from '../../../../../core/console/seating';
import { num, t } from '../../i18n';
import { collator, type ChartView } from '../seating';
import { RoomDrawing } from './room';

export const PRINTS = ['chart', 'escort-cards', 'place-cards', 'table-signs'] as const;
export type PrintWhat = (typeof PRINTS)[number];

const ESCORT_PER_PAGE = 21;
const PLACE_PER_PAGE = 8;

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function Sheet(props: { class?: string; children: ComponentChildren; label?: string }) {
  return <section class={`sheet${props.class ? ` ${props.class}` : ''}`} aria-label={props.label}>{props.children}</section>;
}

export function ChartPrint(props: { view: ChartView; title: string }) {
  const v = props.view;
  const c = collator();
  return (
    <>
      <Sheet class="sheet-room" label={t('print.room')}>
        <h1>{props.title}</h1>
        {v.layout ? <RoomDrawing view={v} /> : (
          <ul class="room-fallback">
            {v.tables.map((x) => <li key={x.table.id}><strong>{x.table.label}</strong> {num(x.seated)}/{num(x.table.capacity)}</li>)}
          </ul>
        )}
      </Sheet>
      {v.tables.map((x) => (
        <Sheet key={x.table.id} class="sheet-table" label={x.table.label}>
          <h2 class="table-heading">{x.table.label}</h2>
          <p class="table-seats">{t('print.seated_of', { seated: num(x.seated), capacity: num(x.table.capacity) })}</p>
          {x.parties.length === 0 ? <p>{t('print.nobody')}</p> : (
            <table class="guests">
              <thead><tr><th scope="col">{t('print.col_name')}</th><th scope="col">{t('print.col_party')}</th></tr></thead>
              <tbody>
                {[...x.parties].sort((a, b) => c.compare(a.name, b.name)).map((p) => (
                  <tr key={p.guest_id}><td>{p.name}</td><td>{num(p.party_size)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </Sheet>
      ))}
    </>
  );
}

/** Every seated party once, by name as the language sorts it (digits as numbers). */
function seatedByName(v: ChartView): { party: ChartParty; table: string }[] {
  const c = collator();
  const out: { party: ChartParty; table: string }[] = [];
  for (const x of v.tables) for (const p of x.parties) out.push({ party: p, table: x.table.label });
  return out.sort((a, b) => c.compare(a.party.name, b.party.name) || a.party.guest_id.localeCompare(b.party.guest_id));
}

/**
 * Escort cards: a card per seated party. Parties not seated yet get no card (there is no table to send them to);
 * they are listed on a last page of their own, so nobody is forgotten before the night.
 */
export function EscortCards(props: { view: ChartView }) {
  const cards = seatedByName(props.view);
  const pages = chunks(cards, ESCORT_PER_PAGE);
  const unseated = props.view.unseated;
  return (
    <>
      {pages.length === 0 && <Sheet><p>{t('print.nobody_seated')}</p></Sheet>}
      {pages.map((page, i) => (
        <Sheet key={i} class="sheet-escort" label={t('print.page_n', { n: i + 1 })}>
          {page.map(({ party, table }) => (
            <div class="escort-card" key={party.guest_id} data-testid="escort-card">
              <p class="escort-name">{party.name}</p>
              <p class="escort-to"><span aria-hidden="true">→ </span><span class="escort-table">{table}</span></p>
              {party.party_size > 1 && <p class="escort-party">{t('print.party_of', { n: num(party.party_size) })}</p>}
            </div>
          ))}
        </Sheet>
      ))}
      {unseated.length > 0 && (
        <Sheet class="sheet-unseated" label={t('print.unseated_title')}>
          <h2>{t('print.unseated_title')}</h2>
          <p>{t('print.unseated_hint')}</p>
          <ul>
            {unseated.map((p) => <li key={p.guest_id}>{p.name} ({num(p.party_size)})</li>)}
          </ul>
        </Sheet>
      )}
    </>
  );
}

/**
 * Place cards: one tent card per seated party (the guest list names one person per party; the party's size is
 * printed so the table knows), name large on both halves, the top half upside down for folding.
 */
export function PlaceCards(props: { view: ChartView }) {
  const pages = chunks(seatedByName(props.view), PLACE_PER_PAGE);
  return (
    <>
      {pages.length === 0 && <Sheet><p>{t('print.nobody_seated')}</p></Sheet>}
      {pages.map((page, i) => (
        <Sheet key={i} class="sheet-place" label={t('print.page_n', { n: i + 1 })}>
          {page.map(({ party, table }) => (
            <div class="place-card" key={party.guest_id}>
              <div class="place-half place-back" aria-hidden="true"><span class="place-name">{party.name}</span></div>
              <div class="place-half place-front">
                <span class="place-name">{party.name}</span>
                <span class="place-table">{table}{party.party_size > 1 ? ` · ${t('print.party_of', { n: num(party.party_size) })}` : ''}</span>
              </div>
            </div>
          ))}
        </Sheet>
      ))}
    </>
  );
}

export function TableSigns(props: { view: ChartView }) {
  const tables = props.view.tables;
  return (
    <>
      {tables.length === 0 && <Sheet><p>{t('print.no_tables')}</p></Sheet>}
      {tables.map((x) => (
        <Sheet key={x.table.id} class="sheet-sign" label={x.table.label}>
          <p class={`sign-label${x.table.label.length > 4 ? ' long' : ''}`}>{x.table.label}</p>
        </Sheet>
      ))}
    </>
  );
}
