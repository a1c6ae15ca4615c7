// The audit of every change made in the console or the CLI (console.audit_log, append-only): `GET /console/api/audit`.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';

const DateTime = Type.String({ format: 'date-time' });

export const AuditChannelSchema = Type.Union([Type.Literal('console'), Type.Literal('cli')]);
export type AuditChannel = Static<typeof AuditChannelSchema>;

export const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    at: DateTime,
    channel: AuditChannelSchema,
    actor: Type.String(),
    /** e.g. guest.update, guest.revoke, guests.import, occasion.create, device.revoke, account.invite. */
    action: Type.String(),
    entity: Type.String(),
    entity_id: Nullable(Type.String()),
    venue_id: Nullable(Type.String()),
    before: Type.Unknown(),
    after: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type AuditEntry = Static<typeof AuditEntrySchema>;

/** Query: newest first, `before` an id to page back from (entries with a smaller id); every filter is exact. */
export const AuditQuerySchema = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    entity: Type.Optional(Type.String({ maxLength: 64 })),
    entity_id: Type.Optional(Type.String({ maxLength: 128 })),
    actor: Type.Optional(Type.String({ maxLength: 254 })),
    channel: Type.Optional(AuditChannelSchema),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;
export const AuditPageSchema = Type.Object({ entries: Type.Array(AuditEntrySchema), next_before: Nullable(Type.Integer()) }, { additionalProperties: false });
export type AuditPage = Static<typeof AuditPageSchema>;

/**
 * `GET /console/api/audit/chain`: the state of the tenant's hash chain (core/audit/chain.ts). `verified`: chained
 * entries checked up to the first bad one; `before_chain`: entries written before the chain began (not verifiable);
 * `head_at`: the newest chained entry's time. `broken`: the first bad entry, why (altered: its hash is not over its
 * fields; removed: entries before it, or after it at the end of the chain, are missing; reordered: its predecessor is not
 * the entry before it; unchained: written without a place in the chain after the chain began). id, at and action are
 * null only when no chained entry is left to name (all of them removed).
 */
export const AuditChainBreakReasonSchema = Type.Union([Type.Literal('altered'), Type.Literal('removed'), Type.Literal('reordered'), Type.Literal('unchained')]);
export type AuditChainBreakReason = Static<typeof AuditChainBreakReasonSchema>;
export const AuditChainStateSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('intact'), Type.Literal('broken')]),
    verified: Type.Integer({ minimum: 0 }),
    before_chain: Type.Integer({ minimum: 0 }),
    head_at: Nullable(DateTime),
    broken: Nullable(Type.Object({ id: Nullable(Type.Integer()), at: Nullable(DateTime), action: Nullable(Type.String()), reason: AuditChainBreakReasonSchema }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type AuditChainState = Static<typeof AuditChainStateSchema>;
