// A venue's devices as the console shows them: fleet state from their heartbeats, pairing codes, revoking a key.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';

const DateTime = Type.String({ format: 'date-time' });
export const DeviceKindSchema = Type.Union([Type.Literal('kiosk'), Type.Literal('agent'), Type.Literal('gateway')]);

export const DeviceRowSchema = Type.Object(
  {
    id: Type.String(),
    kind: DeviceKindSchema,
    name: Nullable(Type.String()),
    /** ok, silent, backlogged, clock_skewed (cloud-sync/fleet/fleet.ts), or revoked: no working key. */
    state: Type.Union([Type.Literal('ok'), Type.Literal('silent'), Type.Literal('backlogged'), Type.Literal('clock_skewed'), Type.Literal('revoked')]),
    problems: Type.Array(Type.String()),
    last_seen: Nullable(DateTime),
    outbox_depth: Nullable(Type.Integer()),
    oldest_unsent_s: Nullable(Type.Number()),
    clock_skew_ms: Nullable(Type.Number()),
    scanner_ok: Nullable(Type.Boolean()),
    app_version: Nullable(Type.String()),
    upstream_error: Nullable(Type.String()),
    active_keys: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type DeviceRow = Static<typeof DeviceRowSchema>;
export const DeviceListSchema = Type.Object({ venue_id: Type.String(), as_of: DateTime, devices: Type.Array(DeviceRowSchema) }, { additionalProperties: false });
export type DeviceList = Static<typeof DeviceListSchema>;

/** `POST /console/api/venues/:id/pairing-codes`. */
export const PairCodeRequestSchema = Type.Object(
  { kind: DeviceKindSchema, name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) },
  { additionalProperties: false },
);
export type PairCodeRequest = Static<typeof PairCodeRequestSchema>;
export const PairCodeSchema = Type.Object({ code: Type.String(), kind: DeviceKindSchema, expires_at: DateTime }, { additionalProperties: false });
export type PairCode = Static<typeof PairCodeSchema>;

/** `POST /console/api/devices/:id/revoke`: every key of the device stops working now. */
export const DeviceRevokedSchema = Type.Object({ device_id: Type.String(), revoked_keys: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
