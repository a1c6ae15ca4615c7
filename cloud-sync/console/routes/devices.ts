// Console API: a venue's devices with their fleet state, pairing codes for new ones, and revoking a device's keys.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  DeviceListSchema,
  DeviceRevokedSchema,
  PairCodeRequestSchema,
  PairCodeSchema,
  type DeviceList,
  type DeviceRow,
  type PairCode,
  type PairCodeRequest,
} from '../../../core/console/devices';
import type { Queryable } from '../../db';
import { classify, FLEET_LIMITS, HEARTBEAT_COLUMNS, newestHeartbeat } from '../../fleet/fleet';
import { issuePairCode } from '../../pairing';
import { recordAudit } from '../audit';
import { notFound } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });

interface Row {
  id: string;
  kind: DeviceRow['kind'];
  name: string | null;
  last_seen: Date | null;
  app_version: string | null;
  outbox_depth: number | null;
  oldest_unsent_s: number | null;
  clock_skew_ms: number | null;
  scanner_ok: boolean | null;
  upstream_error: string | null;
  active_keys: number;
}

/**
 * Every device of one venue with its newest heartbeat, in the shape of cloud-sync/fleet/fleet.ts (one probe of
 * events_raw_heartbeat_idx per device and recent partition) and classified by its pure `classify`. A device with no
 * working key (every key revoked, or rotated past its grace) is `revoked`: it can send nothing, so its silence is no
 * problem. Null when the venue is not the tenant's.
 */
export async function venueDevices(q: Queryable, tenantId: string, venueId: string, now: Date): Promise<DeviceRow[] | null> {
  const venue = await q.query('SELECT 1 FROM seatpilot.venues WHERE id = $1 AND tenant_id = $2', [venueId, tenantId]);
  if (!venue.length) return null;
  const rows = await q.query<Row>(
    `SELECT d.id, d.kind, d.name,
            ${HEARTBEAT_COLUMNS},
            -- What protocol/auth.ts still accepts: active, or rotated and inside its grace.
            (SELECT count(*)::int FROM seatpilot.device_keys k
              WHERE k.device_id = d.id AND k.tenant_id = d.tenant_id
                AND (k.status = 'active' OR (k.status = 'rotated' AND (k.expires_at IS NULL OR k.expires_at > $3)))) AS active_keys
       FROM seatpilot.devices d
       ${newestHeartbeat('$3', '$4')}
      WHERE d.tenant_id = $1 AND d.venue_id = $2`,
    [tenantId, venueId, now, FLEET_LIMITS.lookbackDays],
  );
  const devices = rows.map((r): DeviceRow => {
    const revoked = r.active_keys === 0;
    const problems = revoked ? [] : classify(r, now);
    return {
      id: r.id, kind: r.kind, name: r.name, state: revoked ? 'revoked' : problems[0] ?? 'ok', problems,
      last_seen: r.last_seen ? new Date(r.last_seen).toISOString() : null,
      outbox_depth: r.outbox_depth === null ? null : Math.round(r.outbox_depth),
      oldest_unsent_s: r.oldest_unsent_s, clock_skew_ms: r.clock_skew_ms, scanner_ok: r.scanner_ok, app_version: r.app_version,
      upstream_error: r.upstream_error, active_keys: r.active_keys,
    };
  });
  // As on the fleet page: problems first, the most recently heard from first; revoked devices last.
  const rank = (d: DeviceRow) => (d.state === 'revoked' ? 2 : d.problems.length ? 0 : 1);
  return devices.sort((a, b) => rank(a) - rank(b)
    || (b.last_seen ? Date.parse(b.last_seen) : -Infinity) - (a.last_seen ? Date.parse(a.last_seen) : -Infinity)
    || a.id.localeCompare(b.id));
}

export function registerDeviceRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  api.get<{ Params: { id: string } }>('/venues/:id/devices', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { params: IdParams, response: { 200: DeviceListSchema } },
  }, async (request): Promise<DeviceList> => {
    const session = sessionOf(request);
    const now = ctx.now();
    const devices = await scoped(ctx.db, session, (q) => venueDevices(q, session.tenantId, request.params.id, now));
    if (!devices) throw notFound('the venue');
    return { venue_id: request.params.id, as_of: now.toISOString(), devices };
  });

  api.post<{ Params: { id: string }; Body: PairCodeRequest }>('/venues/:id/pairing-codes', {
    onRequest: guard(ctx.db, 'manage_venue', ctx.now),
    schema: { params: IdParams, body: PairCodeRequestSchema, response: { 201: PairCodeSchema } },
  }, async (request, reply): Promise<PairCode> => {
    const session = sessionOf(request);
    const { kind, name, ttl_minutes: ttlMinutes } = request.body;
    const issued = await scoped(ctx.db, session, async (q) => {
      // Under the console's role the venue lookup inside sees only this tenant's venues: another's is "no venue".
      const code = await issuePairCode(q, request.params.id, kind, { name, now: ctx.now(), ...(ttlMinutes !== undefined ? { ttlMinutes } : {}) });
      // The code is shown once and never stored: the audit says a code was issued, for what and until when.
      await recordAudit(q, actorOf(session), {
        tenantId: session.tenantId, action: 'device.pair_code', entity: 'pairing_code', venueId: code.venue_id,
        after: { kind: code.kind, name: name ?? null, expires_at: code.expires_at },
      });
      return code;
    });
    reply.code(201).header('cache-control', 'no-store');
    return { code: issued.code, kind: issued.kind, expires_at: issued.expires_at };
  });

  api.post<{ Params: { id: string } }>('/devices/:id/revoke', {
    onRequest: guard(ctx.db, 'manage_venue', ctx.now),
    schema: { params: IdParams, response: { 200: DeviceRevokedSchema } },
  }, async (request) => {
    const session = sessionOf(request);
    const deviceId = request.params.id;
    return scoped(ctx.db, session, async (q) => {
      const [device] = await q.query<{ venue_id: string }>('SELECT venue_id FROM seatpilot.devices WHERE id = $1 AND tenant_id = $2', [deviceId, session.tenantId]);
      if (!device) throw notFound('the device');
      const now = ctx.now();
      const revoked = await q.query<{ key_id: string; status: string }>(
        `WITH before AS (SELECT key_id, status FROM seatpilot.device_keys WHERE device_id = $1 AND tenant_id = $2 AND status <> 'revoked' FOR UPDATE)
         UPDATE seatpilot.device_keys k SET status = 'revoked', revoked_at = $3 FROM before b WHERE k.key_id = b.key_id
         RETURNING b.key_id, b.status`,
        [deviceId, session.tenantId, now],
      );
      if (revoked.length) {
        await recordAudit(q, actorOf(session), {
          tenantId: session.tenantId, action: 'device.revoke', entity: 'device', entityId: deviceId, venueId: device.venue_id,
          before: { keys: revoked.map((k) => ({ key_id: k.key_id, status: k.status })).sort((a, b) => a.key_id.localeCompare(b.key_id)) },
          after: { keys: revoked.map((k) => ({ key_id: k.key_id, status: 'revoked' })).sort((a, b) => a.key_id.localeCompare(b.key_id)), revoked_at: now.toISOString() },
        });
      }
      return { device_id: deviceId, revoked_keys: revoked.length };
    });
  });
}
