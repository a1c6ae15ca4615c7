// The guest list's search and filters, pure: the page filters 20,000 rows per keystroke with it, and the CSV export
// (`GET …/guests.csv?…`) applies the same filter on the server, so "export what I see" is exactly that.
import type { GuestRow } from './guests';

export interface GuestFilter {
  /** Free text: matches name, any credential value or the group, accent- and case-insensitive, every word. */
  q?: string;
  /** A table id, or 'none' for unseated guests. */
  table?: string;
  status?: 'active' | 'revoked';
  checked_in?: 'yes' | 'no';
  group?: string;
  /** Guests with this need. */
  need?: string;
}

export const GUEST_FILTER_KEYS = ['q', 'table', 'status', 'checked_in', 'group', 'need'] as const;

/** Lower case, accents and other marks removed: "José Núñez" → "jose nunez". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** What free text is matched against, computed once per row (folding 20,000 names per keystroke would cost ~10 ms). */
export function searchText(g: GuestRow): string {
  return fold([g.name, g.group ?? '', ...g.credentials.map((c) => c.value)].join('\u0000'));
}

export function filterGuests<T extends GuestRow>(rows: readonly T[], filter: GuestFilter, index?: readonly string[]): T[] {
  return guestPositions(rows, filter, index).map((i) => rows[i] as T);
}

/**
 * The positions in `rows` of the guests the filter keeps, in order. `within`: positions already known to hold every
 * match (an earlier result of a filter this one only narrows, see narrows()); only they are looked at.
 */
export function guestPositions(rows: readonly GuestRow[], filter: GuestFilter, index?: readonly string[], within?: readonly number[]): number[] {
  const words = fold(filter.q ?? '').split(/\s+/).filter(Boolean);
  const out: number[] = [];
  const n = within ? within.length : rows.length;
  for (let k = 0; k < n; k++) {
    const i = within ? (within[k] as number) : k;
    const g = rows[i] as GuestRow;
    if (filter.table && (filter.table === 'none' ? g.table_id !== null : g.table_id !== filter.table)) continue;
    if (filter.status && g.status !== filter.status) continue;
    if (filter.checked_in && (filter.checked_in === 'yes') !== (g.checked_in_at !== null)) continue;
    if (filter.group && g.group !== filter.group) continue;
    if (filter.need && !g.needs.includes(filter.need)) continue;
    if (words.length) {
      const text = index ? (index[i] as string) : searchText(g);
      if (!words.every((w) => text.includes(w))) continue;
    }
    out.push(i);
  }
  return out;
}

/**
 * True when every guest `next` keeps is also kept by `prev`: the same filters, and search text that only grew at its
 * end ("jo" → "jos", "jose" → "jose g"). Each word of the longer text then contains the shorter one's word in its
 * place, so a match of the longer is a match of the shorter. Typing a name narrows on every keystroke.
 */
export function narrows(prev: GuestFilter, next: GuestFilter): boolean {
  for (const k of GUEST_FILTER_KEYS) if (k !== 'q' && (prev[k] ?? '') !== (next[k] ?? '')) return false;
  return fold(next.q ?? '').startsWith(fold(prev.q ?? ''));
}
