// Insert throughput into the partitioned telemetry.events_raw (the ingest statement: ids claimed in event_ids) against the same rows into an
// unpartitioned copy keyed on (tenant_id, event_id) with ON CONFLICT DO NOTHING (the design before 0002), same run;
// and the ingest statement with metering (recordUsage in the batch's transaction, every batch one tenant: the usage row
// is the hot spot). Needs TEST_DATABASE_URL (real PostgreSQL). Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { freshDatabase } from '../tests/pg-backends';
import { INSERT_EVENTS_SQL } from '../cloud-sync/pg-store';
import { recordUsage } from '../cloud-sync/billing/billing';

const BATCH = 500;
const BATCHES = Number(process.env.BATCHES ?? 80);
const WORKERS = Number(process.env.WORKERS ?? 2);

function batch(): string {
  const now = new Date().toISOString();
  return JSON.stringify(Array.from({ length: BATCH }, () => ({
    event_id: randomUUID(), device_id: 'k1', type: 'checkin.succeeded', occurred_at: now,
    payload: { guest_id: 'g1', credential_kind: 'barcode', door_id: 'd1', direction: 'entry', table_id: 't1', party_size: 2, offline: false, latency_ms: 12.5, stages: { parse_ms: 1, lookup_ms: 2, persist_ms: 9, total_ms: 12.5 } },
  })));
}

const SELECT = `SELECT 'A', e.event_id, 'v1', e.device_id, 'k1', e.type, e.occurred_at, e.payload
  FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, device_id text, type text, occurred_at timestamptz, payload jsonb)`;

async function main(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) throw new Error('set TEST_DATABASE_URL to a PostgreSQL server');
  const t = await freshDatabase('postgres');
  try {
    await t.db.exec(`CREATE TABLE public.events_flat (LIKE telemetry.events_raw INCLUDING DEFAULTS, UNIQUE (tenant_id, event_id));
                     CREATE INDEX ON public.events_flat (tenant_id, venue_id, type, occurred_at)`);
    const bodies = Array.from({ length: BATCHES }, batch);
    const run = async (sql: string): Promise<number> => {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: WORKERS }, async () => {
        while (next < bodies.length) await t.db.query(sql, [bodies[next++]]);
      }));
      return (BATCH * BATCHES) / ((performance.now() - started) / 1000);
    };
    const baseline = await run(`INSERT INTO public.events_flat (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload) ${SELECT} ON CONFLICT (tenant_id, event_id) DO NOTHING`);
    let p = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (p < bodies.length) await t.db.query(INSERT_EVENTS_SQL, ['A', 'v1', 'k1', randomUUID(), bodies[p++]]);
    }));
    const partitioned = (BATCH * BATCHES) / ((performance.now() - started) / 1000);
    const meteredBodies = Array.from({ length: BATCHES }, batch);
    let m = 0;
    const meteredStarted = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (m < meteredBodies.length) {
        const body = meteredBodies[m++];
        await t.db.tx(async (q) => {
          const rows = await q.query(INSERT_EVENTS_SQL, ['A', 'v1', 'k1', randomUUID(), body]);
          await recordUsage(q, { tenantId: 'A', venueId: 'v1', deviceIds: ['k1'], accepted: rows.length, rejected: 0 });
        });
      }
    }));
    const metered = (BATCH * BATCHES) / ((performance.now() - meteredStarted) / 1000);
    console.log(JSON.stringify({ bench: 'events-partitioned', events: BATCH * BATCHES, batch: BATCH, workers: WORKERS,
      partitioned_events_per_s: Math.round(partitioned), partitioned_metered_events_per_s: Math.round(metered),
      baseline_unpartitioned_events_per_s: Math.round(baseline), ratio: Number((partitioned / baseline).toFixed(2)), metered_ratio: Number((metered / baseline).toFixed(2)) }));
  } finally {
    await t.drop();
  }
}

await main();
