import { describe, expect, it } from 'vitest';
import { filterGuests, fold, guestPositions, narrows, searchText, type GuestFilter } from './guest-filter';
import type { GuestRow } from './guests';

const row = (id: string, name: string, extra: Partial<GuestRow> = {}): GuestRow => ({
  id, name, party_size: 1, table_id: null, table_label: null, status: 'active', checked_in_at: null, group: null, needs: [], credentials: [], ...extra,
});
const rows = [
  row('1', 'José Núñez', { credentials: [{ kind: 'barcode', value: 'SP-0001' }], group: 'Familia Núñez' }),
  row('2', 'Jose Garcia', { table_id: 't1', table_label: '1' }),
  row('3', 'Joséphine Dubois', { status: 'revoked' }),
  row('4', 'Ana López', { needs: ['accessible'], checked_in_at: '2026-12-31T19:00:00.000Z' }),
  row('5', 'María José Ruiz', { group: 'Familia Núñez' }),
];
const index = rows.map(searchText);
const ids = (f: GuestFilter) => filterGuests(rows, f, index).map((g) => g.id);

describe('guest search and filters', () => {
  it.each<[GuestFilter, string[]]>([
    [{ q: 'jose' }, ['1', '2', '3', '5']],
    [{ q: 'JOSÉ núñez' }, ['1', '5']], // 5: José, of the group Familia Núñez
    [{ q: 'nunez' }, ['1', '5']],
    [{ q: 'sp-0001' }, ['1']],
    [{ q: 'jose', status: 'active' }, ['1', '2', '5']],
    [{ table: 'none' }, ['1', '3', '4', '5']],
    [{ table: 't1' }, ['2']],
    [{ checked_in: 'yes' }, ['4']],
    [{ need: 'accessible' }, ['4']],
    [{ group: 'Familia Núñez', q: 'maria' }, ['5']],
    [{ q: 'nobody' }, []],
  ])('%j keeps %j', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('folds accents and case', () => {
    expect(fold('José NÚÑEZ')).toBe('jose nunez');
  });

  it('narrows only when the search grew at its end and nothing else changed', () => {
    expect(narrows({ q: 'jo' }, { q: 'jos' })).toBe(true);
    expect(narrows({ q: 'jose' }, { q: 'josé g' })).toBe(true);
    expect(narrows({}, { q: 'a' })).toBe(true);
    expect(narrows({ q: 'jos' }, { q: 'jo' })).toBe(false);
    expect(narrows({ q: 'jo' }, { q: 'ajo' })).toBe(false);
    expect(narrows({ q: 'jo' }, { q: 'jos', status: 'active' })).toBe(false);
  });

  it('gives the same rows from a narrowed scan as from a full one, keystroke by keystroke', () => {
    let prev: { f: GuestFilter; pos: number[] } | null = null;
    for (const q of ['j', 'jo', 'jos', 'jose', 'jose ', 'jose n', 'jose nu']) {
      const f = { q };
      const within = prev && narrows(prev.f, f) ? prev.pos : undefined;
      if (prev) expect(within, q).toBeDefined();
      const pos = guestPositions(rows, f, index, within ?? undefined);
      expect(pos).toEqual(guestPositions(rows, f, index));
      prev = { f, pos };
    }
  });
});
