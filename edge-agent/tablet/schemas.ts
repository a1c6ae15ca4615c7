// Request bodies of the tablet API and of the beacon gateways' signed route, defined once (TypeBox) and checked with
// the shared Ajv instance. The tablet page imports the types only.
import { Type, type Static } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1, maxLength: 128 });

export const PairRequestSchema = Type.Object(
  { code: Type.String({ minLength: 4, maxLength: 32 }), label: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type PairRequest = Static<typeof PairRequestSchema>;

/** A staff tap. `key` is made on the tablet when the tap happens and is the seat.arrived event_id: sent twice, stored once. */
export const TapRequestSchema = Type.Object(
  {
    key: Type.String({ format: 'uuid' }),
    guest_id: Id,
    table_id: Type.Optional(Type.Union([Id, Type.Null()])),
    /** When the tap happened, on the agent's clock as the tablet last learned it (a queued tap keeps its moment). */
    tapped_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type TapRequest = Static<typeof TapRequestSchema>;

export const TagAssignRequestSchema = Type.Object({ guest_id: Id }, { additionalProperties: false });
export type TagAssignRequest = Static<typeof TagAssignRequestSchema>;

export const PairingCodeRequestSchema = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) },
  { additionalProperties: false },
);
export type PairingCodeRequest = Static<typeof PairingCodeRequestSchema>;

/**
 * `POST /v1/beacon/sightings` from a beacon gateway: what its receivers heard. `tag` is the beacon's key
 * (core/decoders/ble-beacon.ts beaconKey: "ibeacon:<uuid>:<major>:<minor>" or "eddystone:<namespace>:<instance>"); `table_id`
 * is the table whose receiver heard it; `seen_at` defaults to the time the agent received the batch.
 */
export const BeaconSightingsSchema = Type.Object(
  {
    sightings: Type.Array(
      Type.Object(
        {
          tag: Type.String({ minLength: 1, maxLength: 200 }),
          table_id: Id,
          rssi: Type.Number({ minimum: -127, maximum: 20 }),
          seen_at: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type BeaconSightings = Static<typeof BeaconSightingsSchema>;
