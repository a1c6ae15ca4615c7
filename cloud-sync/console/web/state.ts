// The console's state, all of it, as signals: who is signed in, the language, the chosen venue and occasion, the
// loaded guest list with its search index, the list's filter and the status line. Pages read these and call the
// actions below; a component that reads `x.value` while rendering re-renders when x changes.
import { computed, signal } from '@preact/signals';
import type { SessionInfo } from '../../../core/console/auth';
import type { GuestDetail, GuestList, GuestRow, Occasion, Venue } from '../../../core/console/guests';
import { guestPositions, narrows, searchText, type GuestFilter } from '../../../core/console/guest-filter';
import type { Lang } from './strings';

const LANG_KEY = 'seatpilot.console.lang';
const VENUE_KEY = 'seatpilot.console.venue';
const OCCASION_KEY = 'seatpilot.console.occasion';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // A browser that refuses storage only forgets the choice on reload.
  }
}

function initialLang(): Lang {
  const saved = stored(LANG_KEY);
  if (saved === 'es' || saved === 'en') return saved;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
}

/** undefined: not asked yet (the page is starting); null: nobody signed in. */
export const session = signal<SessionInfo | null | undefined>(undefined);
export const lang = signal<Lang>(initialLang());

export const venues = signal<Venue[]>([]);
export const venueId = signal<string | null>(stored(VENUE_KEY));
/** The occasions of the chosen venue. */
export const occasions = signal<Occasion[]>([]);
export const occasionId = signal<string | null>(stored(OCCASION_KEY));
export const occasion = computed(() => occasions.value.find((o) => o.id === occasionId.value) ?? null);

/** The chosen occasion's whole guest list, with each row's folded search text (computed once per load). */
export interface LoadedGuestList {
  list: GuestList;
  index: string[];
}
export const guestList = signal<LoadedGuestList | null>(null);
export const guestFilter = signal<GuestFilter>({});
// The last result, so a search that only grows looks at the rows it kept instead of all 20,000 (core's narrows()).
let lastFilter: { list: LoadedGuestList; filter: GuestFilter; positions: number[] } | null = null;
export const filteredGuests = computed(() => {
  const g = guestList.value;
  if (!g) return [];
  const filter = guestFilter.value;
  const within = lastFilter && lastFilter.list === g && narrows(lastFilter.filter, filter) ? lastFilter.positions : undefined;
  const positions = guestPositions(g.list.guests, filter, g.index, within);
  lastFilter = { list: g, filter, positions };
  return positions.map((i) => g.list.guests[i] as GuestRow);
});

/** The values the list's filters offer: the occasion's groups and needs, sorted, and its tables. */
export const guestFacets = computed(() => {
  const g = guestList.value;
  const groups = new Set<string>();
  const needs = new Set<string>();
  for (const row of g?.list.guests ?? []) {
    if (row.group) groups.add(row.group);
    for (const n of row.needs) needs.add(n);
  }
  const sorted = (xs: Set<string>) => [...xs].sort((a, b) => a.localeCompare(b));
  const tables = [...(g?.list.tables ?? [])].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  return { groups: sorted(groups), needs: sorted(needs), tables };
});

/** The text of the page's aria-live region: what just happened ("Saved.", an error). */
export interface Status {
  text: string;
  kind: 'info' | 'error';
  /** Bumped on every announcement, so the same words said twice are read twice. */
  seq: number;
}
export const status = signal<Status | null>(null);

export function announce(text: string, kind: Status['kind'] = 'info'): void {
  status.value = { text, kind, seq: (status.value?.seq ?? 0) + 1 };
}

export function setLang(l: Lang): void {
  lang.value = l;
  store(LANG_KEY, l);
}

export function chooseVenue(id: string | null): void {
  if (venueId.value === id) return;
  venueId.value = id;
  store(VENUE_KEY, id);
  occasions.value = [];
}

export function chooseOccasion(id: string | null): void {
  if (occasionId.value === id) return;
  occasionId.value = id;
  store(OCCASION_KEY, id);
  guestList.value = null;
  guestFilter.value = {};
}

export function setGuestList(list: GuestList): void {
  guestList.value = { list, index: list.guests.map(searchText) };
}

/** A guest saved or revoked on its page: its row in the loaded list follows, without reloading 20,000 rows. */
export function updateGuestRow(d: GuestDetail): void {
  const g = guestList.value;
  if (!g || g.list.occasion_id !== d.occasion_id) return;
  const i = g.list.guests.findIndex((r) => r.id === d.id);
  if (i < 0) return;
  const old = g.list.guests[i] as GuestRow;
  const row: GuestRow = {
    ...old,
    name: d.name,
    party_size: d.party_size,
    table_id: d.table_id,
    table_label: d.table_id === null ? null : (g.list.tables.find((x) => x.id === d.table_id)?.label ?? d.table_id),
    status: d.status,
    checked_in_at: d.checked_in_at,
    group: d.group,
    needs: d.needs,
    credentials: d.credentials,
  };
  const guests = g.list.guests.slice();
  guests[i] = row;
  const index = g.index.slice();
  index[i] = searchText(row);
  guestList.value = { list: { ...g.list, guests }, index };
}

export function removeGuestRow(id: string): void {
  const g = guestList.value;
  const i = g ? g.list.guests.findIndex((r) => r.id === id) : -1;
  if (!g || i < 0) return;
  guestList.value = { list: { ...g.list, guests: g.list.guests.filter((_, j) => j !== i) }, index: g.index.filter((_, j) => j !== i) };
}

/** Everything a signed-in person had, gone (sign-out, an ended session). Language stays: it is the browser's. */
export function clearSession(): void {
  session.value = null;
  venues.value = [];
  occasions.value = [];
  guestList.value = null;
  guestFilter.value = {};
}
