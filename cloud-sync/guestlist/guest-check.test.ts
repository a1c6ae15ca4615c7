// The guest import's rules against a venue, without a database: which rows refuse the file and why, and which guest
// each good row becomes (created, updated, unchanged). The same rules on PGlite and Postgres are in import.test.ts.
import { describe, expect, it } from 'vitest';
import type { SyncGuest } from '../../core/contract/contract';
import { checkGuestRows, credKey, type VenueGuests } from './guest-check';
import { readGuestCsv } from './guest-csv';

const OCC = 'occ_1';
const NO_DESK = { meal: null, notes: null, tags: [] };
const HEADER = 'guest_id,name,party_size,table,barcode,nfc';

function guest(id: string, name: string, extra: Partial<SyncGuest> = {}): SyncGuest {
  return { id, occasion_id: OCC, name, party_size: 1, table_id: null, status: 'active', valid_from: null, valid_to: null, credentials: [], ...extra };
}

// Ana at T1 with a barcode and a card, Bo with a barcode, a deleted guest, and a guest_id held in another venue.
function venue(): VenueGuests {
  const guests = [
    { guest: guest('g-ana', 'Ana Silva', { party_size: 2, table_id: 'tbl_1', credentials: [{ kind: 'nfc', value: 'NFC-ANA' }, { kind: 'barcode', value: 'BC-ANA' }] }), deleted: false, desk: { meal: 'vegetarian', notes: 'Wheelchair, aisle seat', tags: ['vip'] } },
    { guest: guest('g-bo', 'Bo', { credentials: [{ kind: 'barcode', value: 'BC-BO' }] }), deleted: false, desk: NO_DESK },
    { guest: guest('g-gone', 'Gone'), deleted: true, desk: NO_DESK },
  ];
  return {
    tables: new Map([['T1', 'tbl_1']]),
    guests: new Map(guests.map((g) => [g.guest.id, g])),
    owners: new Map(guests.flatMap((g) => g.guest.credentials.map((c) => [credKey(c), g.guest.id] as const))),
    elsewhere: new Set(['x-other']),
  };
}

function check(lines: string[], header = HEADER) {
  const read = readGuestCsv([header, ...lines].join('\n'));
  const checked = checkGuestRows(read.rows, new Set(read.problems.map((p) => p.line)), venue(), OCC);
  return { ...checked, readProblems: read.problems.map((p) => [p.line, p.reason]), problems: checked.problems.map((p) => [p.line, p.reason]) };
}

describe('checkGuestRows', () => {
  const refusals: [string, string[], [number, string][]][] = [
    ['an unknown table label', ['n1,Zed,,T9,NB-1,'], [[2, 'no table labelled "T9" in this venue (import the tables first)']]],
    ['a guest_id of another venue', ['x-other,Zed,,,,'], [[2, 'guest_id "x-other" belongs to a guest of another venue']]],
    ['credentials of two guests', [',Zed,,,BC-ANA|BC-BO,'], [[2, 'its credentials belong to 2 different guests (g-ana, g-bo); give a guest_id']]],
    ['the same guest by guest_id and by credential', ['g-ana,Ana Silva,,,,', ',Ana again,,,,NFC-ANA'], [[3, 'is the same guest (g-ana) as line 2']]],
    ['the same guest_id twice', ['n1,One,,,A-1,', 'n1,Two,,,A-2,'], [[3, 'is the same guest (n1) as line 2']]],
    ['a credential twice in the file', ['n1,One,,,DUP,', 'n2,Two,,,DUP,'], [[3, 'barcode "DUP" is also on line 2']]],
    ['a credential held by a guest not in the file', ['n1,One,,,BC-BO,'], [[2, 'barcode "BC-BO" already belongs to guest g-bo, who is not in this file']]],
    ['a credential a row the read refused holds', ['n1,,,,DUP,', 'n2,Two,,,DUP,'], [[3, 'barcode "DUP" is also on line 2']]],
  ];
  it.each(refusals)('refuses %s, naming the line', (name, lines, expected) => {
    const { readProblems, problems } = check(lines);
    expect(problems).toEqual(expected);
    if (!name.includes('read refused')) expect(readProblems).toEqual([]);
  });

  it('plans nothing for a row the read refused, and still plans the good rows', () => {
    const { readProblems, problems, plan } = check(['n1,,,,NB-1,', 'n2,Good,,,NB-2,']);
    expect(readProblems).toEqual([[2, 'name is empty']]);
    expect(problems).toEqual([]);
    expect(plan.map((p) => p.guest.id)).toEqual(['n2']);
  });

  const plans: [string, string[], [string | RegExp, 'created' | 'updated' | 'unchanged', boolean][]][] = [
    ['a new guest with a guest_id', ['n-new,New,,,NEW-1,'], [['n-new', 'created', false]]],
    ['a new guest whose credential nobody holds', [',Walk In,,,NEW-2,'], [[/^gst_/, 'created', false]]],
    ['an existing guest as stored, credentials in another order', ['g-ana,Ana Silva,2,T1,BC-ANA,NFC-ANA'], [['g-ana', 'unchanged', true]]],
    ['an existing guest losing a credential', ['g-ana,Ana Silva,2,T1,BC-ANA,'], [['g-ana', 'updated', true]]],
    ['a guest found by credential and renamed', [',Bo Berg,,,BC-BO,'], [['g-bo', 'updated', true]]],
    ['a deleted guest brought back unchanged', ['g-gone,Gone,,,,'], [['g-gone', 'updated', false]]],
    ['two guests swapping their credentials', ['g-ana,Ana Silva,2,T1,BC-BO,', 'g-bo,Bo,,,BC-ANA|NFC-ANA,'], [['g-ana', 'updated', true], ['g-bo', 'updated', true]]],
  ];
  it.each(plans)('plans %s', (_name, lines, expected) => {
    const { readProblems, problems, plan } = check(lines);
    expect([...readProblems, ...problems]).toEqual([]);
    expect(plan).toHaveLength(expected.length);
    plan.forEach((p, i) => {
      const [id, change, hadCredentials] = expected[i]!;
      if (typeof id === 'string') expect(p.guest.id).toBe(id);
      else expect(p.guest.id).toMatch(id);
      expect([p.change, p.hadCredentials]).toEqual([change, hadCredentials]);
      expect(p.guest.occasion_id).toBe(OCC);
    });
  });

  it('seats a row at the table its label names', () => {
    expect(check(['n1,One,3,T1,NB-1,']).plan[0]!.guest).toMatchObject({ id: 'n1', party_size: 3, table_id: 'tbl_1', credentials: [{ kind: 'barcode', value: 'NB-1' }] });
  });

  describe('the desk columns (meal, notes, tags)', () => {
    const DESK = `${HEADER},meal,notes,tags`;
    const ana = 'g-ana,Ana Silva,2,T1,BC-ANA,NFC-ANA';
    it('leaves a guest as it is when the file has none of them, and when they say what the guest has', () => {
      expect(check([ana]).plan[0]).toMatchObject({ change: 'unchanged', desk: { meal: 'vegetarian', notes: 'Wheelchair, aisle seat', tags: ['vip'] } });
      expect(check([`${ana},vegetarian,"Wheelchair, aisle seat",VIP`], DESK).plan[0]).toMatchObject({ change: 'unchanged', desk: { tags: ['vip'] } });
    });
    it('updates a guest whose meal, notes or tags alone change; an empty cell clears; a missing column keeps', () => {
      expect(check([`${ana},vegan,"Wheelchair, aisle seat",vip`], DESK).plan[0]).toMatchObject({ change: 'updated', desk: { meal: 'vegan' } });
      expect(check([`${ana},vegetarian,,vip`], DESK).plan[0]).toMatchObject({ change: 'updated', desk: { notes: null } });
      expect(check([`${ana},vip|press| Press `], `${HEADER},tags`).plan[0]).toMatchObject({
        change: 'updated', desk: { meal: 'vegetarian', notes: 'Wheelchair, aisle seat', tags: ['vip', 'press'] },
      });
    });
    it('gives a new guest what its row says, nothing for a column the file lacks', () => {
      expect(check(['n1,New,,,NB-1,,gluten-free'], `${HEADER},meal`).plan[0]).toMatchObject({ change: 'created', desk: { meal: 'gluten-free', notes: null, tags: [] } });
    });
    it('refuses a meal over 64 characters, notes over 2000 and a tag over 64, in words', () => {
      const { readProblems } = check([`n1,One,,,NB-1,,${'m'.repeat(65)},${'n'.repeat(2001)},vip|${'t'.repeat(65)}`], DESK);
      expect(readProblems).toEqual([
        [2, 'meal is 65 characters long; at most 64 (e.g. vegetarian, gluten-free)'],
        [2, 'notes are 2001 characters long; at most 2000'],
        [2, `tags "${'t'.repeat(40)}" must be 1–64 characters`],
      ]);
    });
  });
});
