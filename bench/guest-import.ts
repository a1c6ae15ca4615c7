// Guest-list import: 100,000 CSV rows through importGuests (parse, check every row, chunked writes in one transaction)
// on real PostgreSQL and on in-memory PGlite, against a baseline in the same run: the same guests and credentials
// written by two INSERT … SELECT statements with no CSV and no checks (the database's own floor). Then a full
// GET /v1/sync walk of the venue through PgSyncStore in pages of 1,000. Prints one JSON line.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openPglite, openPostgres, type Db } from '../cloud-sync/db';
import { migratePostgres } from '../sql/migrate';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion } from '../cloud-sync/guestlist/manage';
import { PgSyncStore } from '../cloud-sync/guestlist/sync-store';

const ROWS = Number(process.env.BENCH_GUEST_ROWS ?? 100_000);

async function venueWithOccasion(db: Db) {
  const tenant = await addTenant(db, 'Bench Co');
  const venue = await addVenue(db, tenant.id, 'Arena');
  const occ = await addOccasion(db, { venueId: venue.id, name: 'Final', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' });
  return { tenantId: tenant.id, venueId: venue.id, occasionId: occ.id };
}

async function run(db: Db) {
  await migratePostgres(db);
  const lines = ['guest_id,name,party_size,barcode,nfc'];
  for (let i = 0; i < ROWS; i++) lines.push(`g-${i},"Guest ${i}, Jr.",${(i % 4) + 1},BC${i},${i % 2 ? `NFC${i}` : ''}`);
  const csv = lines.join('\r\n');

  // Baseline first, in its own venue, so the import does not profit from statistics the baseline leaves behind.
  const b = await venueWithOccasion(db);
  let t0 = performance.now();
  await db.tx(async (q) => {
    await q.query(`INSERT INTO guestlist.guests (id, tenant_id, venue_id, occasion_id, name, party_size, version)
                   SELECT 'b-' || i, $1, $2, $3, 'Guest ' || i || ', Jr.', i % 4 + 1, 0 FROM generate_series(0, $4 - 1) i`, [b.tenantId, b.venueId, b.occasionId, ROWS]);
    await q.exec('ANALYZE guestlist.guests');
    await q.query(`INSERT INTO guestlist.credentials (tenant_id, venue_id, kind, value, guest_id)
                   SELECT $1, $2, 'barcode', 'BBC' || i, 'b-' || i FROM generate_series(0, $3 - 1) i
                   UNION ALL SELECT $1, $2, 'nfc', 'BNFC' || i, 'b-' || i FROM generate_series(1, $3 - 1, 2) i`, [b.tenantId, b.venueId, ROWS]);
  });
  const baselineS = (performance.now() - t0) / 1000;

  const v = await venueWithOccasion(db);
  t0 = performance.now();
  const report = await importGuests(db, { venueId: v.venueId, occasionId: v.occasionId, csv });
  const importS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const again = await importGuests(db, { venueId: v.venueId, occasionId: v.occasionId, csv });
  const reimportS = (performance.now() - t0) / 1000;
  if (report.created !== ROWS || again.unchanged !== ROWS) throw new Error(`unexpected import reports ${JSON.stringify([report, again])}`);

  const key = await addDevice(db, v.venueId, 'agent');
  const store = new PgSyncStore(db);
  const caller = { keyId: key.key_id, tenantId: key.tenant_id, venueId: key.venue_id, deviceId: key.device_id, deviceKind: 'agent' as const };
  t0 = performance.now();
  let cursor: string | undefined;
  let changes = 0;
  for (;;) {
    const page = await store.changesSince(caller, cursor, 1000);
    changes += page.changes.length;
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  const syncS = (performance.now() - t0) / 1000;
  return {
    backend: db.backend,
    rows: ROWS,
    import_s: +importS.toFixed(2),
    rows_per_s: Math.round(ROWS / importS),
    reimport_unchanged_s: +reimportS.toFixed(2),
    baseline_insert_s: +baselineS.toFixed(2),
    ratio_to_baseline: +(importS / baselineS).toFixed(2),
    sync_walk_s: +syncS.toFixed(2),
    sync_changes: changes,
  };
}

const results = [];
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sp_bench_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
try {
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = openPostgres(u.toString());
  try {
    results.push(await run(db));
  } finally {
    await db.close();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
if (process.env.BENCH_SKIP_PGLITE !== '1') {
  const db = await openPglite();
  try {
    results.push(await run(db));
  } finally {
    await db.close();
  }
}
console.log(JSON.stringify({ bench: 'guest-import', cores: (await import('node:os')).cpus().length, results }));
