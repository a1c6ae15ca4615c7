// The seating chart as the console's API and page see it: each table's parties, the unseated ones, the relations
// between parties, a move checked against capacity and the hard rules (core/seating/move-check.ts), and auto-assign
// run on the server with its progress (cloud-sync/console/routes/seating*.ts). A party is a guest with its party_size.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';

const Id = Type.String({ minLength: 1, maxLength: 128 });

export const ChartTableSchema = Type.Object(
  { id: Type.String(), label: Type.String(), capacity: Type.Integer({ minimum: 0 }), tags: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type ChartTable = Static<typeof ChartTableSchema>;

export const ChartPartySchema = Type.Object(
  {
    guest_id: Type.String(), name: Type.String(), party_size: Type.Integer({ minimum: 1 }), table_id: Nullable(Type.String()),
    /** Kept at its table by auto-assign; a locked party is not moved by hand either until unlocked. */
    locked: Type.Boolean(),
    needs: Type.Array(Type.String()), group: Nullable(Type.String()),
    /** The guest's version (as in GuestDetail): a move names it, and a party changed meanwhile is refused (409). */
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ChartParty = Static<typeof ChartPartySchema>;

/** Between two guests of the occasion, a < b: a soft score (−100…100) or a hard rule. */
export const ChartRelationSchema = Type.Object(
  { a: Type.String(), b: Type.String(), score: Nullable(Type.Integer({ minimum: -100, maximum: 100 })), rule: Nullable(Type.Union([Type.Literal('apart'), Type.Literal('together')])) },
  { additionalProperties: false },
);
export type ChartRelation = Static<typeof ChartRelationSchema>;

/** `GET /console/api/occasions/:id/seating`: revoked guests are left out (they will not come in). */
export const SeatingChartSchema = Type.Object(
  {
    occasion_id: Type.String(), venue_id: Type.String(),
    /** The published layout the tables come from (draw it with GET …/layout/versions/latest); null: none published. */
    layout_version: Nullable(Type.Integer({ minimum: 1 })),
    tables: Type.Array(ChartTableSchema), parties: Type.Array(ChartPartySchema), relations: Type.Array(ChartRelationSchema),
  },
  { additionalProperties: false },
);
export type SeatingChart = Static<typeof SeatingChartSchema>;

/** Why a move is refused: the page says it in the planner's language from the code and its params. */
export const MoveRefusalCodeSchema = Type.Union([
  Type.Literal('over_capacity'), Type.Literal('apart'), Type.Literal('together'), Type.Literal('needs'), Type.Literal('locked'), Type.Literal('unknown_table'), Type.Literal('unknown_party'),
]);
export type MoveRefusalCode = Static<typeof MoveRefusalCodeSchema>;
export const MoveRefusalSchema = Type.Object(
  {
    code: MoveRefusalCodeSchema,
    /** In English, for logs and API clients. */
    message: Type.String(),
    /** table: the target's label; free / needed: seats; other: the other party's name; missing: needs the table lacks. */
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  },
  { additionalProperties: false },
);
export type MoveRefusal = Static<typeof MoveRefusalSchema>;

/**
 * `POST …/seating/move`: a party to a table, or `table_id` null to unseat it. Parties bound to it by a hard
 * `together` rule move with it (named in the answer). 422 seat_refused carries a MoveRefusal as `refusal`.
 */
export const MoveRequestSchema = Type.Object({ guest_id: Id, table_id: Nullable(Id), version: Type.Integer() }, { additionalProperties: false });
export type MoveRequest = Static<typeof MoveRequestSchema>;
export const MoveResultSchema = Type.Object({ moved: Type.Array(ChartPartySchema) }, { additionalProperties: false });
export type MoveResult = Static<typeof MoveResultSchema>;

/** `POST …/seating/lock`. */
export const LockRequestSchema = Type.Object({ guest_id: Id, locked: Type.Boolean(), version: Type.Integer() }, { additionalProperties: false });
export type LockRequest = Static<typeof LockRequestSchema>;

/** `PUT …/seating/relations/:guestId`: that party's relations, all of them (others' pairs untouched). */
export const PartyRelationsSchema = Type.Object(
  {
    relations: Type.Array(
      Type.Object({ other: Id, score: Nullable(Type.Integer({ minimum: -100, maximum: 100 })), rule: Nullable(Type.Union([Type.Literal('apart'), Type.Literal('together')])) }, { additionalProperties: false }),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);
export type PartyRelations = Static<typeof PartyRelationsSchema>;

/** `POST …/seating/auto` starts a run (202 with the job); `GET …/seating/auto/:job` follows it. */
export const AutoRequestSchema = Type.Object({ time_limit_ms: Type.Optional(Type.Integer({ minimum: 200, maximum: 30_000 })) }, { additionalProperties: false });
export type AutoRequest = Static<typeof AutoRequestSchema>;

export const PlanMoveSchema = Type.Object(
  { guest_id: Type.String(), name: Type.String(), party_size: Type.Integer({ minimum: 1 }), from: Nullable(Type.String()), to: Nullable(Type.String()) },
  { additionalProperties: false },
);
export type PlanMove = Static<typeof PlanMoveSchema>;

export const AutoResultSchema = Type.Object(
  {
    score: Type.Number(), optimal: Type.Boolean(), gap: Nullable(Type.Number()), duration_ms: Type.Integer({ minimum: 0 }),
    guests_to_seat: Type.Integer({ minimum: 0 }), guests_seated: Type.Integer({ minimum: 0 }), locked: Type.Integer({ minimum: 0 }),
    unseated: Type.Array(Type.Object({ guest_id: Type.String(), name: Type.String(), party_size: Type.Integer(), reason: Type.String() }, { additionalProperties: false })),
    /** Parties whose table the plan changes (from/to: table ids, null: no table). Nothing is written until applied. */
    moves: Type.Array(PlanMoveSchema),
  },
  { additionalProperties: false },
);
export type AutoResult = Static<typeof AutoResultSchema>;

export const AutoStageSchema = Type.Union([Type.Literal('loading'), Type.Literal('solving'), Type.Literal('done'), Type.Literal('failed')]);
export type AutoStage = Static<typeof AutoStageSchema>;
export const AutoJobSchema = Type.Object(
  {
    job_id: Type.String(), occasion_id: Type.String(), stage: AutoStageSchema,
    /** Measured since the run started; `limit_ms` the solver's time limit (progress = elapsed ÷ limit while solving). */
    elapsed_ms: Type.Integer({ minimum: 0 }), limit_ms: Type.Integer({ minimum: 0 }),
    result: Nullable(AutoResultSchema), error: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type AutoJob = Static<typeof AutoJobSchema>;

/** `POST …/seating/apply`: the plan's moves; each is written only if the party is still where the plan found it. */
export const ApplyRequestSchema = Type.Object(
  { moves: Type.Array(Type.Object({ guest_id: Id, from: Nullable(Id), to: Nullable(Id) }, { additionalProperties: false }), { maxItems: 20_000 }) },
  { additionalProperties: false },
);
export type ApplyRequest = Static<typeof ApplyRequestSchema>;
export const ApplyResultSchema = Type.Object(
  { applied: Type.Integer({ minimum: 0 }), skipped: Type.Array(Type.Object({ guest_id: Type.String(), reason: Type.String() }, { additionalProperties: false })) },
  { additionalProperties: false },
);
export type ApplyResult = Static<typeof ApplyResultSchema>;
