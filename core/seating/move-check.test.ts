import { describe, expect, it } from 'vitest';
import type { ChartParty, ChartRelation, ChartTable } from '../console/seating';
import { checkMove, togetherBlock, type MoveCheck, type MoveInput } from './move-check';

const tbl = (id: string, label: string, capacity: number, tags: string[] = []): ChartTable => ({ id, label, capacity, tags });
const party = (guest_id: string, name: string, party_size: number, table_id: string | null, over: Partial<ChartParty> = {}): ChartParty => ({
  guest_id, name, party_size, table_id, locked: false, needs: [], group: null, version: 1, ...over,
});
const rule = (a: string, b: string, r: 'apart' | 'together'): ChartRelation => ({ a, b, score: null, rule: r });

const tables = [tbl('t7', 'Table 7', 8), tbl('t8', 'Table 8', 10, ['accessible', 'vip']), tbl('t9', 'Table 9', 4)];
/** Table 7: 6 of 8 seats taken (Luis 4, Marta 2). Table 9: empty. */
const parties = [
  party('ana', 'Ana García', 3, null),
  party('luis', 'Luis Pérez', 4, 't7'),
  party('marta', 'Marta Ruiz', 2, 't7'),
  party('jon', 'Jon Aguirre', 1, 't8'),
];

function move(guestId: string, toTableId: string | null, over: Partial<MoveInput> = {}): MoveCheck {
  return checkMove({ tables, parties, relations: [], guestId, toTableId, ...over });
}

describe('checkMove refusals', () => {
  const cases: { name: string; input: Partial<MoveInput> & { guestId: string; toTableId: string | null }; code: string; params: Record<string, string | number>; message: RegExp }[] = [
    { name: 'unknown party', input: { guestId: 'nobody', toTableId: 't7' }, code: 'unknown_party', params: { guest: 'nobody' }, message: /no party nobody/ },
    { name: 'unknown table', input: { guestId: 'ana', toTableId: 't99' }, code: 'unknown_table', params: { table: 't99' }, message: /no table t99/ },
    {
      name: 'the party is locked',
      input: { guestId: 'luis', toTableId: 't9', parties: parties.map((p) => (p.guest_id === 'luis' ? { ...p, locked: true } : p)) },
      code: 'locked', params: { name: 'Luis Pérez' }, message: /Luis Pérez's party is locked/,
    },
    {
      name: 'a together-partner is locked',
      input: { guestId: 'ana', toTableId: 't9', relations: [rule('ana', 'marta', 'together')], parties: parties.map((p) => (p.guest_id === 'marta' ? { ...p, locked: true } : p)) },
      code: 'locked', params: { name: 'Marta Ruiz' }, message: /Marta Ruiz's party is locked.*Ana García's party sits with it/,
    },
    {
      name: 'the table lacks a need',
      input: { guestId: 'ana', toTableId: 't7', parties: parties.map((p) => (p.guest_id === 'ana' ? { ...p, needs: ['accessible', 'kosher'] } : p)) },
      code: 'needs', params: { table: 'Table 7', missing: 'accessible, kosher', name: 'Ana García' }, message: /Table 7 does not have what Ana García's party needs: accessible, kosher/,
    },
    {
      name: 'a together-partner has a need the table lacks',
      input: { guestId: 'ana', toTableId: 't8', relations: [rule('ana', 'marta', 'together')], parties: parties.map((p) => (p.guest_id === 'marta' ? { ...p, needs: ['vip', 'kosher'] } : p)) },
      code: 'needs', params: { table: 'Table 8', missing: 'kosher', name: 'Ana García' }, message: /those seated with it need: kosher/,
    },
    { name: 'over capacity', input: { guestId: 'ana', toTableId: 't7' }, code: 'over_capacity', params: { table: 'Table 7', free: 2, needed: 3, name: 'Ana García' }, message: /^Table 7 has 2 free seats; Ana García's party needs 3\.$/ },
    {
      name: 'over capacity with the together-block',
      input: { guestId: 'ana', toTableId: 't9', relations: [rule('ana', 'jon', 'together'), rule('jon', 'luis', 'together')] },
      code: 'over_capacity', params: { table: 'Table 9', free: 4, needed: 8 }, message: /Table 9 has 4 free seats; Ana García's party and those seated with it need 8/,
    },
    {
      name: 'a table already over-full shows no negative seats',
      input: { guestId: 'jon', toTableId: 't9', parties: [...parties, party('big', 'Big Party', 6, 't9')] },
      code: 'over_capacity', params: { free: 0, needed: 1 }, message: /has 0 free seats/,
    },
    {
      name: 'apart from a party at the target',
      input: { guestId: 'jon', toTableId: 't7', relations: [rule('jon', 'marta', 'apart')] },
      code: 'apart', params: { name: 'Jon Aguirre', other: 'Marta Ruiz', table: 'Table 7' }, message: /Jon Aguirre's party must not sit with Marta Ruiz's party/,
    },
    {
      name: 'apart between a together-partner and a party at the target (either order of a, b)',
      input: { guestId: 'jon', toTableId: 't9', relations: [rule('ana', 'jon', 'together'), rule('big', 'ana', 'apart')], parties: [...parties.filter((p) => p.guest_id !== 'ana'), party('ana', 'Ana García', 1, null), party('big', 'Bo Lind', 1, 't9')] },
      code: 'apart', params: { name: 'Ana García', other: 'Bo Lind' }, message: /Ana García's party must not sit with Bo Lind's party/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = move(c.input.guestId, c.input.toTableId, c.input);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(c.code);
      expect(r.params).toMatchObject(c.params);
      expect(r.message).toMatch(c.message);
    });
  }

  it('checks in order: a locked party is refused as locked even when the table is also too small', () => {
    const locked = parties.map((p) => (p.guest_id === 'ana' ? { ...p, locked: true, needs: ['vip'] } : p));
    expect(move('ana', 't7', { parties: locked })).toMatchObject({ ok: false, code: 'locked' });
    const needy = parties.map((p) => (p.guest_id === 'ana' ? { ...p, needs: ['vip'] } : p));
    expect(move('ana', 't7', { parties: needy })).toMatchObject({ ok: false, code: 'needs' });
  });
});

describe('checkMove allowed', () => {
  it('a move within capacity passes, moving only the party', () => {
    expect(move('jon', 't7')).toEqual({ ok: true, moving: ['jon'] });
    expect(move('ana', 't9')).toEqual({ ok: true, moving: ['ana'] });
  });

  it('fills a table exactly to its capacity', () => {
    expect(move('marta', 't9', { parties: [...parties, party('two', 'Two', 2, 't9')] })).toEqual({ ok: true, moving: ['marta'] });
  });

  it('the together-block moves as one, transitively, and its own heads do not count against the target', () => {
    // Marta (2, at Table 7) bound to Ana (3), Ana to Jon (1): 6 heads; Table 7 keeps Luis' 4 … too many for 8? 4 + 6 = 10.
    const relations = [rule('ana', 'marta', 'together'), rule('jon', 'ana', 'together')];
    expect(move('ana', 't7', { relations })).toMatchObject({ ok: false, code: 'over_capacity', params: { free: 4, needed: 6 } });
    // To Table 8 (10 seats, Jon's 1 is part of the block): 10 free, 6 needed.
    expect(move('ana', 't8', { relations })).toEqual({ ok: true, moving: ['ana', 'marta', 'jon'] });
  });

  it('a soft relation or an apart rule with someone elsewhere does not bind or block', () => {
    const relations: ChartRelation[] = [{ a: 'ana', b: 'luis', score: 100, rule: null }, rule('ana', 'jon', 'apart')];
    expect(move('ana', 't9', { relations })).toEqual({ ok: true, moving: ['ana'] });
  });

  it('unseating: ok, and the block unseats together; a locked party cannot be unseated', () => {
    expect(move('luis', null, { relations: [rule('luis', 'jon', 'together')] })).toEqual({ ok: true, moving: ['luis', 'jon'] });
    expect(move('luis', null, { parties: parties.map((p) => (p.guest_id === 'luis' ? { ...p, locked: true } : p)) })).toMatchObject({ ok: false, code: 'locked' });
  });

  it('a drop on the table the block is at already is ok (even locked or over-full)', () => {
    const crowded = [...parties, party('extra', 'Extra', 5, 't7')];
    expect(move('luis', 't7', { parties: crowded.map((p) => (p.guest_id === 'luis' ? { ...p, locked: true } : p)) })).toEqual({ ok: true, moving: ['luis'] });
    expect(move('ana', null)).toEqual({ ok: true, moving: ['ana'] });
  });

  it('a together-partner that is not on the chart (revoked) neither moves nor blocks', () => {
    expect(move('ana', 't9', { relations: [rule('ana', 'gone', 'together')] })).toEqual({ ok: true, moving: ['ana'] });
  });
});

describe('togetherBlock', () => {
  it('follows together rules transitively in both directions, ignoring apart and soft ones', () => {
    const rel = [rule('a', 'b', 'together'), rule('c', 'b', 'together'), rule('c', 'd', 'apart'), { a: 'a', b: 'e', score: 50, rule: null }, rule('x', 'y', 'together')];
    expect(togetherBlock('a', rel)).toEqual(['a', 'b', 'c']);
    expect(togetherBlock('d', rel)).toEqual(['d']);
  });
});
