// events_raw partitioned by day: idempotent on (tenant, event_id) across partitions, partitions made ahead, retention
// drops old days, and a database from before partitioning keeps its rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { loadMigrations, migratePostgres, migrationsDir } from '../../sql/migrate';
import { listEventPartitions, maintainEventPartitions, setPartitionSettings } from './partitions';
import { asTenant, insertEvents } from '../../tests/fixtures/kpi-fixtures';

const ev = (eventId: string, receivedAt: string, tenant = 'A') => ({
  tenant, venue: 'v1', device: 'k1', type: 'device.heartbeat', occurredAt: receivedAt, receivedAt, eventId, payload: {},
});

const countRows = async (t: TestDatabase, sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params))[0]?.n;

describe.each(backends())('events_raw partitions on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend);
  });
  afterAll(async () => t?.drop());

  it('is partitioned by day with today and the next days made at migration', async () => {
    const [kind] = await t.db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'telemetry.events_raw'::regclass`);
    expect(kind?.relkind).toBe('p');
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const parts = await listEventPartitions(t.db);
    expect(parts).toContain(`events_raw_p${today}`);
    expect(parts.length).toBeGreaterThanOrEqual(7);
  });

  it('stores an event once per tenant and event_id, even when the copy arrives on another day', async () => {
    const id = randomUUID();
    expect(await insertEvents(t.db, [ev(id, new Date().toISOString())])).toEqual([id]);
    // The resend lands a day later (another partition): still a duplicate, nothing returned, nothing stored.
    expect(await insertEvents(t.db, [ev(id, new Date(Date.now() + 86_400_000).toISOString())])).toEqual([]);
    // Within one statement too.
    expect(await insertEvents(t.db, [ev(id, new Date().toISOString()), ev(id, new Date().toISOString())])).toEqual([]);
    // The same id from another tenant is another event.
    expect(await insertEvents(t.db, [ev(id, new Date().toISOString(), 'B')])).toEqual([id]);
    expect(await countRows(t, 'SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = $1', [id])).toBe(2);
  });

  it('keeps an event whose day has no partition in the default one, and moves it when the day is made', async () => {
    const id = randomUUID();
    await insertEvents(t.db, [ev(id, '2026-01-15T12:00:00Z')]);
    expect(await countRows(t, 'SELECT count(*)::int AS n FROM telemetry.events_raw_default WHERE event_id = $1', [id])).toBe(1);
    const made = await t.db.query<{ p: string }>(`SELECT telemetry.ensure_event_partitions('2026-01-14', 3) AS p`);
    expect(made.map((r) => r.p)).toEqual(['events_raw_p20260114', 'events_raw_p20260115', 'events_raw_p20260116']);
    expect(await countRows(t, 'SELECT count(*)::int AS n FROM telemetry.events_raw_default')).toBe(0);
    expect(await countRows(t, 'SELECT count(*)::int AS n FROM telemetry.events_raw_p20260115 WHERE event_id = $1', [id])).toBe(1);
    // Making them again is a no-op.
    expect(await t.db.query(`SELECT telemetry.ensure_event_partitions('2026-01-14', 3)`)).toEqual([]);
  });

  it('maintenance makes partitions ahead and drops the ones past retention, with their ids', async () => {
    const old = randomUUID();
    await insertEvents(t.db, [ev(old, '2026-01-14T08:00:00Z')]);
    await setPartitionSettings(t.db, { retentionDays: 30, premakeDays: 3 });
    const report = await maintainEventPartitions(t.db, '2026-02-14');
    expect(report.created).toEqual(['events_raw_p20260214', 'events_raw_p20260215', 'events_raw_p20260216']);
    // Cut-off is 2026-01-15: the 14th goes, the 15th (exactly 30 days) and later stay.
    expect(report.dropped).toEqual(['events_raw_p20260114']);
    const parts = await listEventPartitions(t.db);
    expect(parts).not.toContain('events_raw_p20260114');
    expect(parts).toContain('events_raw_p20260115');
    expect(await countRows(t, 'SELECT count(*)::int AS n FROM telemetry.event_ids WHERE event_id = $1', [old])).toBe(0);
    // Idempotent: running it again the same day changes nothing.
    expect(await maintainEventPartitions(t.db, '2026-02-14')).toEqual({ created: [], dropped: [] });
  });

  it('client roles can neither run the upkeep nor read a partition directly', async () => {
    await expect(asTenant(t.db, 'A', (q) => q.query(`SELECT telemetry.maintain_event_partitions('2030-01-01')`))).rejects.toThrow(/permission denied/);
    await expect(asTenant(t.db, 'A', (q) => q.query(`SELECT telemetry.drop_old_event_partitions(0)`))).rejects.toThrow(/permission denied/);
    await expect(asTenant(t.db, 'A', (q) => q.query('SELECT * FROM telemetry.events_raw_default'))).rejects.toThrow(/permission denied/);
    const own = await asTenant(t.db, 'A', (q) => q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM telemetry.events_raw'));
    expect(own).toEqual([{ tenant_id: 'A' }]);
  });
});

describe.each(backends())('migrating a database with events to partitions on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('keeps every row, keeps RLS, and keeps refusing duplicates of the old rows', async () => {
    const all = loadMigrations(migrationsDir('postgres'));
    await migratePostgres(t.db, all.slice(0, 1));
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await t.db.query(
      `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, received_at, payload)
       VALUES ('A', $1, 'v1', 'k1', 'k1', 'device.heartbeat', '2026-03-01T10:00:00Z', '2026-03-01T10:00:01Z', '{}'),
              ('A', $2, 'v1', 'k1', 'k1', 'device.heartbeat', '2026-03-02T10:00:00Z', '2026-03-02T10:00:01Z', '{}'),
              ('B', $3, 'w1', 'k9', 'k9', 'device.heartbeat', now(), now(), '{}')`,
      ids,
    );
    await migratePostgres(t.db, all);
    const rows = await t.db.query<{ event_id: string; part: string }>(
      `SELECT event_id::text, tableoid::regclass::text AS part FROM telemetry.events_raw ORDER BY received_at`);
    expect(rows.map((r) => r.event_id)).toEqual(ids);
    expect(rows.slice(0, 2).map((r) => r.part)).toEqual(['telemetry.events_raw_p20260301', 'telemetry.events_raw_p20260302']);
    expect(await insertEvents(t.db, [ev(ids[0] as string, new Date().toISOString())])).toEqual([]);
    const policies = await t.db.query<{ policyname: string }>(`SELECT policyname FROM pg_policies WHERE schemaname = 'telemetry' AND tablename = 'events_raw' ORDER BY 1`);
    // Reads only: clients write no events (sql 0013 dropped the insert policy with the grant); the console's role
    // reads its tenant's (sql 0016; it has no INSERT grant either).
    expect(policies.map((p) => p.policyname)).toEqual(['events_raw_tenant_isolation_select', 'telemetry_events_raw_console_tenant_isolation']);
  });
});
