// Test fixtures shared by the KPI, fleet and billing suites: events written straight into telemetry.events_raw, and
// a session that acts as Supabase's `authenticated` role for one tenant.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db';

export interface RawEvent {
  tenant: string;
  venue: string;
  device: string;
  via?: string;
  type: string;
  occurredAt: string | Date;
  receivedAt?: string | Date;
  eventId?: string;
  payload: Record<string, unknown>;
}

/** Inserts events as ingest would; returns the event ids actually stored (duplicates are skipped by the dedup trigger). */
export async function insertEvents(q: Queryable, events: RawEvent[]): Promise<string[]> {
  const rows = events.map((e) => ({
    tenant_id: e.tenant,
    event_id: e.eventId ?? randomUUID(),
    venue_id: e.venue,
    device_id: e.device,
    via_device_id: e.via ?? e.device,
    type: e.type,
    occurred_at: new Date(e.occurredAt).toISOString(),
    received_at: e.receivedAt === undefined ? null : new Date(e.receivedAt).toISOString(),
    payload: e.payload,
  }));
  const out = await q.query<{ event_id: string }>(
    // The same claim-then-insert as the ingest statement (cloud-sync/pg-store.ts INSERT_EVENTS_SQL, sql 0005).
    `WITH r AS (
       SELECT DISTINCT ON (tenant_id, event_id) r.*, coalesce(r.received_at, now()) AS at
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, event_id uuid, venue_id text, device_id text, via_device_id text,
                                                 type text, occurred_at timestamptz, received_at timestamptz, payload jsonb)
     ), claimed AS (
       INSERT INTO telemetry.event_ids (tenant_id, event_id, received_at)
       SELECT tenant_id, event_id, at FROM r ORDER BY tenant_id, event_id
       ON CONFLICT DO NOTHING RETURNING tenant_id, event_id
     )
     INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, received_at, payload)
     SELECT r.tenant_id, r.event_id, r.venue_id, r.device_id, r.via_device_id, r.type, r.occurred_at, r.at, r.payload
       FROM r JOIN claimed USING (tenant_id, event_id)
     RETURNING event_id::text`,
    [JSON.stringify(rows)],
  );
  return out.map((r) => r.event_id);
}

export async function seedTenant(q: Queryable, tenant: string, venues: Record<string, string[]>): Promise<void> {
  await q.query('INSERT INTO seatpilot.tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [tenant]);
  for (const [venue, devices] of Object.entries(venues)) {
    await q.query('INSERT INTO seatpilot.venues (id, tenant_id, name) VALUES ($1, $2, $1) ON CONFLICT DO NOTHING', [venue, tenant]);
    for (const device of devices) {
      await q.query(`INSERT INTO seatpilot.devices (id, tenant_id, venue_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
        device, tenant, venue, device.startsWith('agent') ? 'agent' : 'kiosk',
      ]);
    }
  }
}

/** Runs `fn` as the `authenticated` role with the JWT claim tenant_id = `tenant`, then rolls everything back. */
export async function asTenant<T>(db: Queryable, tenant: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
  let out: T | undefined;
  const rollback = new Error('rollback');
  try {
    await db.tx(async (q) => {
      await q.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ tenant_id: tenant, role: 'authenticated' })]);
      await q.exec('SET LOCAL ROLE authenticated');
      out = await fn(q);
      throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return out as T;
}

export const checkin = (door: string, latencyMs: number) => ({
  guest_id: `g-${randomUUID().slice(0, 8)}`, credential_kind: 'barcode', door_id: door, direction: 'entry', table_id: 't1', party_size: 1,
  offline: false, latency_ms: latencyMs, stages: { parse_ms: 1, lookup_ms: 1, persist_ms: 1, total_ms: latencyMs },
});
export const refusal = (door: string, reason: string, latencyMs: number) => ({ reason, credential_kind: 'barcode', door_id: door, latency_ms: latencyMs });
export const arrival = (checkedInAt: string) => ({ guest_id: 'g', table_id: 't1', source: 'tablet', checked_in_at: checkedInAt });
export const heartbeat = (p: { outbox_depth?: number; oldest_unsent_s?: number; clock_skew_ms?: number } = {}) => ({
  app_version: '1.0.0', outbox_depth: p.outbox_depth ?? 0, oldest_unsent_s: p.oldest_unsent_s ?? 0, guest_list_version: 1, scanner_ok: true, clock_skew_ms: p.clock_skew_ms ?? 0,
});
