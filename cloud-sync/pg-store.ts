// The protocol store on Postgres/PGlite: keys, the shared nonce store, batch inserts in one statement, dead letters.
import { LIMITS, type SeatPilotEvent } from '../core/contract/contract';
import { UNSTORABLE_ESCAPE, deadLetterJson } from '../core/contract/validate';
import type { Caller, DeviceKind, IngestStore, KeyRecord, KeyStatus, RejectedEvent, StoreBatchResult } from '../protocol/store';
import type { Db, Queryable } from './db';
import { openStoredSecret } from './device-secrets';

/** Hook for work that must commit with the batch (metering). */
export type BatchHook = (q: Queryable, caller: Caller, inserted: SeatPilotEvent[], rejected: number) => Promise<void>;

/** Several hooks in one batch's transaction, one after the other in the order given (the venue's decisions, then metering: cloud-sync/app.ts). */
export function chainBatchHooks(...hooks: BatchHook[]): BatchHook {
  return async (q, caller, inserted, rejected) => {
    for (const hook of hooks) await hook(q, caller, inserted, rejected);
  };
}

/**
 * One statement per batch: $1 tenant, $2 venue, $3 delivering device, $4 batch id, $5 the events as a JSON array.
 * It claims the batch's ids in telemetry.event_ids (set-based, in id order so overlapping batches cannot deadlock) and
 * stores only the events whose id it claimed (sql 0005): RETURNING yields exactly the new ones.
 */
export const INSERT_EVENTS_SQL = `WITH e AS (
    SELECT DISTINCT ON (event_id) * FROM jsonb_to_recordset($5::jsonb)
      AS e(event_id uuid, device_id text, type text, occurred_at timestamptz, payload jsonb)
  ), claimed AS (
    INSERT INTO telemetry.event_ids (tenant_id, event_id, received_at)
    SELECT $1, event_id, now() FROM e ORDER BY event_id
    ON CONFLICT DO NOTHING
    RETURNING event_id
  )
  INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, received_at, batch_id, payload)
  SELECT $1, e.event_id, $2, e.device_id, $3, e.type, e.occurred_at, now(), $4, e.payload
    FROM e JOIN claimed USING (event_id)
  RETURNING event_id::text`;

const UNSTORABLE_GLOBAL = new RegExp(UNSTORABLE_ESCAPE.source, 'gi');

/** The raw JSON of a refused event, made storable in jsonb (NUL and lone surrogates become U+FFFD). */
function storableRaw(raw: unknown): string {
  const json = deadLetterJson(raw);
  return UNSTORABLE_ESCAPE.test(json) ? json.replace(UNSTORABLE_GLOBAL, (m) => `${m.slice(0, -6)}\\ufffd`) : json;
}

export class PgStore implements IngestStore {
  constructor(
    private readonly db: Db,
    private readonly hooks: { afterBatch?: BatchHook } = {},
  ) {}

  async findKey(keyId: string): Promise<KeyRecord | null> {
    if (keyId.length > 128) return null;
    const rows = await this.db.lookups.query<{ key_id: string; secret: string; status: KeyStatus; expires_at: Date | null; tenant_id: string; venue_id: string; device_id: string; kind: DeviceKind }>(
      `SELECT k.key_id, k.secret, k.status, k.expires_at, k.tenant_id, k.venue_id, k.device_id, d.kind
         FROM seatpilot.device_keys k JOIN seatpilot.devices d ON d.id = k.device_id
        WHERE k.key_id = $1`,
      [keyId],
    );
    const r = rows[0];
    if (!r) return null;
    return { keyId: r.key_id, secret: openStoredSecret(this.db.secrets, r.key_id, r.secret, r.status), status: r.status, expiresAt: r.expires_at, tenantId: r.tenant_id, venueId: r.venue_id, deviceId: r.device_id, deviceKind: r.kind };
  }

  async useNonce(keyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    // A row whose lifetime ended may be taken again; a live one means a replay.
    const rows = await this.db.lookups.query(
      `INSERT INTO telemetry.nonces (key_id, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
        WHERE telemetry.nonces.expires_at <= $3::timestamptz - make_interval(secs => $4)
       RETURNING 1 AS fresh`,
      [keyId, nonce, expiresAt, LIMITS.nonceTtlSeconds],
    );
    return rows.length === 1;
  }

  async sweepNonces(now: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(`WITH d AS (DELETE FROM telemetry.nonces WHERE expires_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [now]);
    return rows[0]?.n ?? 0;
  }

  async devicesInVenue(tenantId: string, venueId: string, deviceIds: string[]): Promise<Set<string>> {
    const rows = await this.db.lookups.query<{ id: string }>(`SELECT id FROM seatpilot.devices WHERE tenant_id = $1 AND venue_id = $2 AND id = ANY($3::text[])`, [tenantId, venueId, deviceIds]);
    return new Set(rows.map((r) => r.id));
  }

  async storeBatch(caller: Caller, batchId: string, accepted: SeatPilotEvent[], rejected: RejectedEvent[]): Promise<StoreBatchResult> {
    const run = async (q: Queryable): Promise<StoreBatchResult> => {
      let inserted: SeatPilotEvent[] = [];
      if (accepted.length) {
        const rows = await q.query<{ event_id: string }>(
          INSERT_EVENTS_SQL,
          [caller.tenantId, caller.venueId, caller.deviceId, batchId, JSON.stringify(accepted)],
        );
        const ids = new Set(rows.map((r) => r.event_id));
        inserted = rows.length === accepted.length ? accepted : accepted.filter((e) => ids.has(e.event_id.toLowerCase()));
      }
      if (rejected.length) {
        await q.query(
          `INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, batch_id, event_index, event_id, reason, detail, raw)
           SELECT $1, $2, $3, $4, $5, r.event_index, r.event_id, r.reason, r.detail, coalesce(r.raw, 'null'::jsonb)
             FROM jsonb_to_recordset($6::jsonb) AS r(event_index int, event_id text, reason text, detail text, raw jsonb)`,
          [
            caller.tenantId, caller.venueId, caller.deviceId, caller.keyId, batchId,
            `[${rejected.map((r) => `{"event_index":${r.index},"event_id":${JSON.stringify(r.eventId)},"reason":${JSON.stringify(r.reason)},"detail":${JSON.stringify(r.detail)},"raw":${storableRaw(r.raw)}}`).join(',')}]`,
          ],
        );
      }
      if (this.hooks.afterBatch) await this.hooks.afterBatch(q, caller, inserted, rejected.length);
      return { inserted: inserted.map((e) => e.event_id) };
    };
    // One statement is atomic by itself; more need a transaction.
    // With a hook (metering), a refused-only batch too: its dead letters and its usage commit together.
    const several = this.hooks.afterBatch !== undefined || (accepted.length > 0 && rejected.length > 0);
    return several ? this.db.tx(run) : run(this.db);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
