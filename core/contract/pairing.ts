// Pairing a box with a single-use code, as the wire sees it: the request and answer of `POST /pair` (served by the
// cloud for kiosks, agents and gateways, and by the edge agent for its doors' kiosks) and its refusal codes. The route,
// the code format and the rate limit live in protocol/pairing.ts.
import { Type, type Static } from '@sinclair/typebox';

export const PairRequestSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    /** The venue the box is already set up for, when it is: a code for another venue is refused and left unused. */
    venue_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type PairRequest = Static<typeof PairRequestSchema>;

export const PairKindSchema = Type.Union([Type.Literal('kiosk'), Type.Literal('agent'), Type.Literal('gateway')]);
export type PairKind = Static<typeof PairKindSchema>;

export const PairResponseSchema = Type.Object(
  {
    device_id: Type.String({ minLength: 1 }),
    venue_id: Type.String({ minLength: 1 }),
    tenant_id: Type.Optional(Type.String({ minLength: 1 })),
    kind: PairKindSchema,
    key_id: Type.String({ minLength: 1 }),
    secret: Type.String({ minLength: 16 }),
  },
  { additionalProperties: false },
);
export type PairResponse = Static<typeof PairResponseSchema>;

/** The refusals of `POST /pair`; protocol/pairing.ts gives each its HTTP status. */
export const PairErrorCodeSchema = Type.Union([
  Type.Literal('bad_request'),
  Type.Literal('unknown_code'),
  Type.Literal('code_used'),
  Type.Literal('code_expired'),
  Type.Literal('wrong_venue'),
  Type.Literal('rate_limited'),
]);
export type PairErrorCode = Static<typeof PairErrorCodeSchema>;

/** A refusal's body, with a message a person at the box understands. */
export const PairErrorBodySchema = Type.Object({ error: PairErrorCodeSchema, message: Type.String() }, { additionalProperties: false });
export type PairErrorBody = Static<typeof PairErrorBodySchema>;
