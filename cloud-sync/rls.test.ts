// Tenant isolation through RLS, as Supabase clients see it: the same suite on real PostgreSQL and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addDevice, addTenant, addVenue } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { asRole, failure } from '../tests/rls';

describe.each(backends())('row-level security on %s', (backend) => {
  let t: TestDatabase;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    tenantA = (await addTenant(t.db, 'A')).id;
    tenantB = (await addTenant(t.db, 'B')).id;
    for (const tenant of [tenantA, tenantB]) {
      const venue = await addVenue(t.db, tenant, 'Hall');
      await addDevice(t.db, venue.id, 'kiosk');
      for (let i = 0; i < 3; i++) {
        await t.db.query(
          `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
           VALUES ($1, $2, $3, 'dev', 'dev', 'checkin.succeeded', now(), '{}')`, [tenant, randomUUID(), venue.id]);
      }
      await t.db.query(`INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, event_index, reason, detail, raw)
                        VALUES ($1, $2, 'dev', 'key', 0, 'unknown_type', 'x', '{}')`, [tenant, venue.id]);
    }
  });
  afterAll(async () => t?.drop());

  it('shows tenant A only its own events and dead letters', async () => {
    await asRole(t.db, 'authenticated', { tenant_id: tenantA, role: 'authenticated' }, async (q) => {
      const raw = await q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM telemetry.events_raw');
      expect(raw).toEqual([{ tenant_id: tenantA }]);
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 3 }]);
      expect(await q.query('SELECT DISTINCT tenant_id FROM telemetry.events_dlq')).toEqual([{ tenant_id: tenantA }]);
    });
  });

  // Events reach the tables only through signed ingest (HMAC, validation, metering): a client writes none, not even its own.
  it('refuses tenant A writing events or dead letters, for tenant B or for itself', async () => {
    await asRole(t.db, 'authenticated', { tenant_id: tenantA }, async (q) => {
      for (const tenant of [tenantB, tenantA]) {
        const msg = await failure(q, `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
                                      VALUES ($1, $2, 'v', 'd', 'd', 'checkin.succeeded', now(), '{}')`, [tenant, randomUUID()]);
        expect(msg).toMatch(/permission denied/);
        expect(await failure(q, `INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, event_index, reason, detail, raw)
                                 VALUES ($1, 'v', 'd', 'k', 0, 'bad_event', 'x', '{}')`, [tenant])).toMatch(/permission denied/);
      }
      expect(await failure(q, 'DELETE FROM telemetry.events_raw')).toMatch(/permission denied/);
    });
  });

  it('shows nothing without a tenant claim', async () => {
    await asRole(t.db, 'authenticated', null, async (q) => {
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 0 }]);
    });
  });

  it('keeps device secrets and the control plane from every client role', async () => {
    for (const role of ['authenticated', 'anon'] as const) {
      await asRole(t.db, role, { tenant_id: tenantA }, async (q) => {
        expect(await failure(q, 'SELECT secret FROM seatpilot.device_keys')).toMatch(/permission denied/);
        expect(await failure(q, 'SELECT * FROM seatpilot.devices')).toMatch(/permission denied/);
        expect(await failure(q, 'SELECT * FROM telemetry.nonces')).toMatch(/permission denied/);
      });
    }
  });

  it('gives anon nothing at all', async () => {
    await asRole(t.db, 'anon', { tenant_id: tenantA }, async (q) => {
      expect(await failure(q, 'SELECT * FROM telemetry.events_raw')).toMatch(/permission denied/);
      expect(await failure(q, 'SELECT * FROM telemetry.events_dlq')).toMatch(/permission denied/);
    });
  });
});
