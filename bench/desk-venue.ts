// The venue `npm run bench:desk` runs on: a guest list as the cloud syncs it to a hub (one occasion under way, about
// 10 guests per table, tables of 10–14 seats so some are full, some tables tagged `accessible` / `stage`, some guests
// tagged, with meals), deterministic so every run sees the same evening.
import { LIMITS, type SyncChange, type SyncResponse } from '../core/contract/contract';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';

export const GUESTS_PER_TABLE = 10;
const CAPACITIES = [10, 12, 12, 14] as const;
const MEALS = [null, null, null, 'vegetarian', null, 'gluten-free', null, null, 'vegan'] as const;

export interface DeskVenue {
  pages: SyncResponse[];
  tables: number;
  guests: number;
  /** The table a guest sits at in the list as synced. */
  tableOf(guestIndex: number): string;
}

export const tableId = (t: number) => `t${t}`;
export const guestId = (i: number) => `g${i}`;

function tableTags(t: number): string[] {
  return [...(t % 7 === 0 ? ['accessible'] : []), ...(t % 11 === 0 ? ['stage'] : [])];
}

/** Sync pages (as large as the contract allows) for `guests` guests, under way at `nowMs`. */
export function deskVenue(guests: number, nowMs: number): DeskVenue {
  const tables = Math.ceil(guests / GUESTS_PER_TABLE);
  let version = 1;
  const changes: SyncChange[] = [
    occasionChange(version++, { starts_at: new Date(nowMs - 3_600_000).toISOString(), ends_at: new Date(nowMs + 6 * 3_600_000).toISOString() }),
  ];
  for (let t = 0; t < tables; t++) {
    const tags = tableTags(t);
    changes.push(tableChange(version++, { id: tableId(t), label: String(t + 1), capacity: CAPACITIES[t % CAPACITIES.length] as number, x: 2 * (t % 40), y: 2 * Math.floor(t / 40), ...(tags.length ? { tags } : {}) }));
  }
  for (let i = 0; i < guests; i++) {
    const t = Math.floor(i / GUESTS_PER_TABLE);
    const first = i % GUESTS_PER_TABLE === 0;
    // The first guest of every third table brings a +1: those tables hold 11.
    const party = first && t % 3 === 0 ? 2 : 1;
    const tags = [...(first && tableTags(t).includes('accessible') ? ['accessible'] : []), ...(i % 50 === 7 ? ['vip'] : [])];
    const meal = MEALS[i % MEALS.length];
    changes.push(guestChange(version++, {
      id: guestId(i), name: `Guest ${i} Bench`, party_size: party, table_id: tableId(t),
      credentials: [{ kind: 'barcode', value: `DESK-${String(i).padStart(7, '0')}` }],
      ...(tags.length ? { tags } : {}), ...(meal ? { meal } : {}),
    }));
  }
  const pages: SyncResponse[] = [];
  for (let i = 0; i < changes.length; i += LIMITS.maxSyncLimit) {
    pages.push(page(changes.slice(i, i + LIMITS.maxSyncLimit), `c${i}`, i + LIMITS.maxSyncLimit < changes.length));
  }
  return { pages, tables, guests, tableOf: (i) => tableId(Math.floor(i / GUESTS_PER_TABLE)) };
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function summary(xs: readonly number[], digits = 2) {
  return { n: xs.length, p50: round(percentile(xs, 50), digits), p95: round(percentile(xs, 95), digits), max: round(percentile(xs, 100), digits) };
}

/** A small deterministic PRNG, so every run makes the same requests in the same order. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_103_515_245 + 12_345) & 0x7fffffff;
    return s / 0x80000000;
  };
}
