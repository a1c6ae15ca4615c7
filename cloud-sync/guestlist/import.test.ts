// Guest and table imports on PGlite and on the real PostgreSQL: good files, every kind of bad row, upserts, 100,000 rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant, addVenue } from '../admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { ImportError } from './common';
import { importGuests as importGuestsWith, type GuestImportOptions } from './import-guests';
import { addOccasion, deleteGuest, importTables, setFloorPlan } from './manage';

const TABLES_CSV = 'label,capacity,shape,x,y,w,h\nT1,10,round,1,1,1.5,1.5\nT2,8,rect,4,1,2,1\n';

async function refused(p: Promise<unknown>): Promise<ImportError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ImportError);
  return e as ImportError;
}

// Each file on both ways of reading the venue: only the guests the file touches (small files), and the whole venue.
const ways = backends().flatMap((b) => [[b, 'touched guests', {}], [b, 'whole venue', { wholeVenueAbove: 0 }]] as const);

describe.each(ways)('guest-list import on %s, reading %s', (backend, way, load: Partial<GuestImportOptions>) => {
  const importGuests = (db: TestDatabase['db'], opts: GuestImportOptions) => importGuestsWith(db, { ...load, ...opts });
  let t: TestDatabase;
  let venue: string;
  let otherVenue: string;
  let occasion: string;

  const guestCount = async (venueId = venue) => Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.guests WHERE venue_id = $1 AND NOT deleted', [venueId]))[0]?.n);
  const credCount = async () => Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.credentials WHERE venue_id = $1', [venue]))[0]?.n);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    const ten = await addTenant(t.db, 'Gala Co');
    venue = (await addVenue(t.db, ten.id, 'Grand Hall')).id;
    otherVenue = (await addVenue(t.db, ten.id, 'Annex')).id;
    occasion = (await addOccasion(t.db, { venueId: venue, name: 'New Year Gala', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' })).id;
    expect(await importTables(t.db, venue, TABLES_CSV)).toMatchObject({ rows: 2, created: 2 });
  });
  afterAll(async () => t?.drop());

  it('imports a good file with quoted fields, CRLF, a BOM, several credentials and every column', async () => {
    const csv = '\uFEFFguest_id,name,party_size,table,barcode,nfc,valid_from,valid_to,status\r\n' +
      'g-ana,"Silva, Ana",2,T1,BC-ANA-1|BC-ANA-2,04A1B2C3,2026-12-31T18:00:00+01:00,2027-01-01T04:00:00Z,active\r\n' +
      ',"Bo ""The Bear"" Berg",,,BC-BO,,,,\r\n' +
      'g-cy,"Cy\r\nMultiline",1,T2,,NFC-CY,,,revoked\r\n';
    const progress: [number, number][] = [];
    const report = await importGuests(t.db, { venueId: venue, occasionId: occasion, csv, onProgress: (d, n) => progress.push([d, n]) });
    expect(report).toEqual({ venue_id: venue, occasion_id: occasion, rows: 3, created: 3, updated: 0, unchanged: 0 });
    expect(progress.at(-1)).toEqual([3, 3]);
    const rows = await t.db.query<Record<string, unknown>>(
      `SELECT g.id, g.name, g.party_size, s.label, g.status, g.valid_from, g.valid_to,
              (SELECT string_agg(kind || ':' || value, ' ' ORDER BY kind, value) FROM guestlist.credentials c WHERE c.guest_id = g.id) AS creds
         FROM guestlist.guests g LEFT JOIN guestlist.seating_tables s ON s.id = g.table_id WHERE g.venue_id = $1 ORDER BY g.name`, [venue]);
    expect(rows.map((r) => [r.name, r.party_size, r.label, r.status, r.creds])).toEqual([
      ['Bo "The Bear" Berg', 1, null, 'active', 'barcode:BC-BO'],
      ['Cy\r\nMultiline', 1, 'T2', 'revoked', 'nfc:NFC-CY'],
      ['Silva, Ana', 2, 'T1', 'active', 'barcode:BC-ANA-1 barcode:BC-ANA-2 nfc:04A1B2C3'],
    ]);
    expect((rows[2]!.valid_from as Date).toISOString()).toBe('2026-12-31T17:00:00.000Z');
    expect(rows.find((r) => r.name === 'Bo "The Bear" Berg')!.id).toMatch(/^gst_/);
  });

  it('re-import is an upsert: matched by guest_id or by credential, unchanged rows untouched, credentials replaced', async () => {
    const versions = async () => new Map((await t.db.query<{ id: string; version: number }>('SELECT id, version FROM guestlist.guests WHERE venue_id = $1', [venue])).map((r) => [r.id, Number(r.version)]));
    const before = await versions();
    const csv = 'guest_id,name,party_size,table,barcode,nfc,valid_from,valid_to,status\n' +
      'g-ana,"Silva, Ana",2,T1,BC-ANA-1|BC-ANA-2,04A1B2C3,2026-12-31T17:00:00Z,2027-01-01T04:00:00Z,active\n' + // same instant, other spelling
      ',Bo Berg,3,T2,BC-BO|BC-BO-NEW,,,,\n' + // found by its barcode: renamed, reseated, one more barcode
      'g-cy,"Cy\nMultiline",1,T2,,NFC-CY-2,,,revoked\n'; // NFC card replaced
    const report = await importGuests(t.db, { venueId: venue, occasionId: occasion, csv });
    expect(report).toMatchObject({ rows: 3, created: 0, updated: 2, unchanged: 1 });
    const after = await versions();
    expect(after.get('g-ana')).toBe(before.get('g-ana'));
    expect(after.get('g-cy')!).toBeGreaterThan(before.get('g-cy')!);
    expect(await guestCount()).toBe(3);
    const bo = await t.db.query<{ name: string; party_size: number }>(`SELECT g.name, g.party_size FROM guestlist.guests g JOIN guestlist.credentials c ON c.guest_id = g.id WHERE c.value = 'BC-BO-NEW'`);
    expect(bo).toEqual([{ name: 'Bo Berg', party_size: 3 }]);
    expect(await t.db.query(`SELECT value FROM guestlist.credentials WHERE guest_id = 'g-cy'`)).toEqual([{ value: 'NFC-CY-2' }]);
  });

  it('lets two guests in one file swap credentials', async () => {
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,barcode\nsw-1,Swap One,SW-A\nsw-2,Swap Two,SW-B\n' });
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,barcode\nsw-1,Swap One,SW-B\nsw-2,Swap Two,SW-A\n' });
    expect(await t.db.query(`SELECT guest_id, value FROM guestlist.credentials WHERE value LIKE 'SW-%' ORDER BY value`)).toEqual([
      { guest_id: 'sw-2', value: 'SW-A' },
      { guest_id: 'sw-1', value: 'SW-B' },
    ]);
  });

  // Each bad row is reported with its line; a good row in the same file is not imported either.
  const HEADER = 'guest_id,name,party_size,table,barcode,nfc,valid_from,valid_to,status';
  const badRows: [string, string, RegExp][] = [
    ['an empty name', 'n1,,1,,NB-1,,,,', /name is empty/],
    ['a party size out of range', 'n2,Zed,0,,NB-2,,,,', /party_size "0" must be a whole number from 1 to 1000/],
    ['a party size that is not a number', 'n3,Zed,two,,NB-3,,,,', /party_size "two"/],
    ['an unknown table label', 'n4,Zed,1,T99,NB-4,,,,', /no table labelled "T99"/],
    ['an unknown status', 'n5,Zed,1,,NB-5,,,,maybe', /status "maybe" must be active or revoked/],
    ['a date without an offset', 'n6,Zed,1,,NB-6,,2026-12-31T18:00:00,,', /valid_from "2026-12-31T18:00:00" is not an RFC 3339/],
    ['valid_to before valid_from', 'n7,Zed,1,,NB-7,,2026-12-31T18:00:00Z,2026-12-31T17:00:00Z,', /valid_to must be after valid_from/],
    ['neither guest_id nor credential', ',Zed,1,,,,,,', /needs a guest_id or at least one barcode or nfc/],
    ['a malformed guest_id', '"has space",Zed,1,,NB-9,,,,', /guest_id "has space" must be/],
    ['a credential held by another guest not in the file', 'n10,Zed,1,,BC-BO,,,,', /barcode "BC-BO" already belongs to guest gst_/],
    ['too many fields', 'n11,Zed,1,,NB-11,,,,,extra', /has 10 fields, the header has 9/],
  ];
  it.each(badRows)('refuses a file with %s, naming line 3, and imports nothing', async (_name, row, reason) => {
    const before = await guestCount();
    const csv = `${HEADER}\nok-1,Good Row,1,,OK-1,,,,\n${row}\n`;
    const err = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.line).toBe(3);
    expect(err.problems[0]!.reason).toMatch(reason);
    expect(err.message).toMatch(/nothing was imported/);
    expect(await guestCount()).toBe(before);
  });

  it('reports every bad row at once, including duplicates within the file, with line numbers after a multi-line field', async () => {
    const before = await guestCount();
    const credsBefore = await credCount();
    const csv = 'guest_id,name,barcode,nfc\n' +
      'd-1,"Two\nLines",DUP-1,\n' + // lines 2–3
      'd-2,Second,DUP-1,\n' + // line 4: barcode also on line 2
      'd-1,Again,OTHER,\n' + // line 5: same guest as line 2
      'd-3,Nfc,,N-1|N-1\n'; // line 6: the same NFC twice in one row
    const err = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv }));
    expect(err.problems.map((p) => [p.line, p.reason])).toEqual([
      [4, 'barcode "DUP-1" is also on line 2'],
      [5, 'is the same guest (d-1) as line 2'],
      [6, 'nfc "N-1" is also on line 6'],
    ]);
    expect(await guestCount()).toBe(before);
    expect(await credCount()).toBe(credsBefore);
  });

  it('refuses a bad header, an unknown occasion and a guest_id of another venue', async () => {
    const header = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,fullname,barcode\nx,Y,Z\n' }));
    expect(header.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'unknown column "fullname"; the columns are guest_id, name, party_size, table, barcode, nfc, valid_from, valid_to, status, group, together_with, apart_from, needs, seat_locked, meal, notes, tags'],
      [1, 'the required column "name" is missing'],
    ]);
    const quote = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'name,barcode\n"Open,X\n' }));
    expect(quote.problems[0]).toMatchObject({ line: 2 });
    await expect(importGuests(t.db, { venueId: venue, occasionId: 'occ_nope', csv: 'name,barcode\nA,B\n' })).rejects.toThrow('no occasion "occ_nope"');
    const otherOcc = (await addOccasion(t.db, { venueId: otherVenue, name: 'Annex night', startsAt: '2026-12-01T19:00:00Z', endsAt: '2026-12-02T01:00:00Z' })).id;
    await importGuests(t.db, { venueId: otherVenue, occasionId: otherOcc, csv: 'guest_id,name\nannex-1,Annex Guest\n' });
    const foreign = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name\nannex-1,Stolen\n' }));
    expect(foreign.problems[0]).toEqual({ line: 2, reason: 'guest_id "annex-1" belongs to a guest of another venue' });
  });

  it('frees a deleted guest\'s credentials and revives the guest on re-import', async () => {
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,barcode\ndel-1,Gone Soon,DEL-BC\n' });
    await deleteGuest(t.db, 'del-1');
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'name,barcode\nNew Holder,DEL-BC\n' });
    expect(await t.db.query(`SELECT g.name FROM guestlist.credentials c JOIN guestlist.guests g ON g.id = c.guest_id WHERE c.value = 'DEL-BC'`)).toEqual([{ name: 'New Holder' }]);
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name\ndel-1,Back Again\n' });
    expect(await t.db.query(`SELECT name, deleted FROM guestlist.guests WHERE id = 'del-1'`)).toEqual([{ name: 'Back Again', deleted: false }]);
  });

  it('imports tables as an upsert by label and refuses bad table rows', async () => {
    expect(await importTables(t.db, venue, 'label,capacity,shape,x,y,w,h\nT1,12,round,1,1,1.5,1.5\nT2,8,rect,4,1,2,1\nT3,6,,0,0,1,1\n')).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    const err = await refused(importTables(t.db, venue, 'label,capacity,shape,w\nT4,-1,round,1\nT5,4,oval,1\nT5,4,round,1\nT6,4,round,-2\nT7,,round,1\n'));
    expect(err.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(err.problems.map((p) => p.reason).join('\n')).toMatch(/capacity "-1"[\s\S]*shape "oval"[\s\S]*label "T5" is also on line 3[\s\S]*w must be >= 0[\s\S]*capacity is empty/);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM guestlist.seating_tables WHERE venue_id = $1`, [venue])).toEqual([{ n: 3 }]);
  });

  it('sets a floor plan only when it matches the contract', async () => {
    const plan = { width: 30, height: 20, walls: [{ x1: 0, y1: 0, x2: 30, y2: 0 }], obstacles: [], doors: [{ id: 'd1', label: 'Main', x: 15, y: 20 }] };
    const first = await setFloorPlan(t.db, venue, JSON.stringify(plan));
    const second = await setFloorPlan(t.db, venue, JSON.stringify({ ...plan, width: 31 }));
    expect(second.version).toBeGreaterThan(first.version);
    await expect(setFloorPlan(t.db, venue, '{"width": 30')).rejects.toThrow(/not valid JSON/);
    await expect(setFloorPlan(t.db, venue, JSON.stringify({ ...plan, height: 0 }))).rejects.toThrow(/\/height must be > 0/);
    await expect(setFloorPlan(t.db, venue, JSON.stringify({ ...plan, roof: true }))).rejects.toThrow(/unknown field "roof"/);
  });
});

describe.each(backends())('a large guest-list import on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend);
  });
  afterAll(async () => t?.drop());
  const guestCount = async (venueId: string) => Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.guests WHERE venue_id = $1 AND NOT deleted', [venueId]))[0]?.n);
  const importGuests = importGuestsWith;

  // 100,000 rows on the real PostgreSQL. PGlite (single-threaded WASM) writes about 3–5k guests/s on a shared 2-core
  // machine, so it runs the same test with 20,000 rows (4 chunks) to stay near 30 s.
  const N = backend === 'postgres' ? 100_000 : 20_000;
  it(`imports ${N} guests in one transaction with progress, refuses a bad last row whole, re-imports as unchanged`, { timeout: 240_000 }, async () => {
    const ten = await addTenant(t.db, 'Big Co');
    const big = (await addVenue(t.db, ten.id, 'Arena')).id;
    const bigOcc = (await addOccasion(t.db, { venueId: big, name: 'Final', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' })).id;
    const lines = ['guest_id,name,party_size,barcode,nfc'];
    for (let i = 0; i < N; i++) lines.push(`big-${i},"Guest ${i}, Jr.",${(i % 4) + 1},BC${i},${i % 2 ? `NFC${i}` : ''}`);
    const csv = lines.join('\r\n');
    const progress: [number, number][] = [];
    const report = await importGuests(t.db, { venueId: big, occasionId: bigOcc, csv, onProgress: (d, n) => progress.push([d, n]) });
    expect(report).toMatchObject({ rows: N, created: N });
    expect(progress.length).toBe(N / 5000);
    expect(progress.at(-1)).toEqual([N, N]);
    expect(await guestCount(big)).toBe(N);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM guestlist.credentials WHERE venue_id = $1`, [big])).toEqual([{ n: N * 1.5 }]);
    // A bad last row refuses the whole file: nothing of the other rows changes.
    const bad = `${lines.slice(0, -1).join('\n').replace('"Guest 5, Jr."', 'Renamed')}\nbig-x,Dup,2,BC7,\n`;
    const err = await refused(importGuests(t.db, { venueId: big, occasionId: bigOcc, csv: bad }));
    expect(err.problems).toEqual([{ line: N + 1, reason: 'barcode "BC7" is also on line 9' }]);
    expect(await t.db.query(`SELECT name FROM guestlist.guests WHERE id = 'big-5'`)).toEqual([{ name: 'Guest 5, Jr.' }]);
    expect(await importGuests(t.db, { venueId: big, occasionId: bigOcc, csv })).toMatchObject({ created: 0, updated: 0, unchanged: N });
  });
});
