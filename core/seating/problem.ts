// The seating problem and plan of SYSTEM.md ("Seating problem and plan"), defined once as TypeBox schemas, and the
// checks a problem needs beyond its schema (ids that must exist, rules that contradict each other, locks that cannot hold).
import { Type, type Static } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { ajv } from '../contract/validate';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Tag = Type.String({ minLength: 1, maxLength: 64 });

export const SEATING_LIMITS = { maxTables: 20_000, maxParties: 100_000, maxRelations: 2_000_000, maxCapacity: 100_000, maxScore: 100 } as const;

export const SeatingTableSchema = Type.Object(
  {
    id: Id,
    capacity: Type.Integer({ minimum: 1, maximum: SEATING_LIMITS.maxCapacity }),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type SeatingTable = Static<typeof SeatingTableSchema>;

export const SeatingPartySchema = Type.Object(
  {
    id: Id,
    /** Guests in the party; a party is never split over tables. */
    size: Type.Integer({ minimum: 1, maximum: SEATING_LIMITS.maxCapacity }),
    /** Tags the party's table must carry, every one of them. */
    needs: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
    /** A locked party: it sits at this table or not at all (the problem is refused when the lock cannot hold). */
    table: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type SeatingParty = Static<typeof SeatingPartySchema>;

export const SeatingRelationSchema = Type.Object(
  {
    a: Id,
    b: Id,
    /** Soft: positive means rather together, negative rather apart; counts when both sit at one table. */
    score: Type.Optional(Type.Integer({ minimum: -SEATING_LIMITS.maxScore, maximum: SEATING_LIMITS.maxScore })),
    /** Hard: never at one table. */
    apart: Type.Optional(Type.Boolean()),
    /** Hard: at one table (seated as one unit with everyone they are together with). */
    together: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SeatingRelation = Static<typeof SeatingRelationSchema>;

export const SeatingProblemSchema = Type.Object(
  {
    tables: Type.Array(SeatingTableSchema, { maxItems: SEATING_LIMITS.maxTables }),
    parties: Type.Array(SeatingPartySchema, { maxItems: SEATING_LIMITS.maxParties }),
    relations: Type.Optional(Type.Array(SeatingRelationSchema, { maxItems: SEATING_LIMITS.maxRelations })),
  },
  { additionalProperties: false },
);
export type SeatingProblem = Static<typeof SeatingProblemSchema>;

/**
 * Why a party is not in the plan. The text starts with one of these codes; some add `: ` and the tags or parties
 * concerned, e.g. `no_table_with_tags: accessible`, `conflicts_with: P7, P9`.
 * - party_larger_than_any_table: the party alone has more guests than the largest table seats.
 * - together_group_larger_than_any_table: the party's `together` group (listed) has more guests than any table seats.
 * - no_table_with_tags: no table carries every tag the party (or its together group) needs.
 * - tables_with_tags_too_small: tables with those tags exist, and none seats the party (or its group).
 * - conflicts_with: every table it would fit at holds a party it must sit apart from (listed).
 * - no_room: the tables it could sit at are full.
 */
export const UNSEATED_REASON_CODES = [
  'party_larger_than_any_table',
  'together_group_larger_than_any_table',
  'no_table_with_tags',
  'tables_with_tags_too_small',
  'conflicts_with',
  'no_room',
] as const;
export type UnseatedReasonCode = (typeof UNSEATED_REASON_CODES)[number];

export const SeatingPlanSchema = Type.Object(
  {
    assignments: Type.Array(Type.Object({ party: Id, table: Id }, { additionalProperties: false })),
    unseated: Type.Array(Type.Object({ party: Id, reason: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
    /** Sum of the soft scores of the pairs seated at one table. */
    score: Type.Integer(),
    /** True only when proven: no plan seating as many guests scores higher. */
    optimal: Type.Boolean(),
    /** (bound − score) / |bound| when an upper bound is known (divided by 1 when the bound is 0), else null. */
    gap: Type.Union([Type.Number(), Type.Null()]),
    duration_ms: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type SeatingPlan = Static<typeof SeatingPlanSchema>;

/** One problem with a field of the file: `field` in the form `relations[3].b`, `message` without the file's values. */
export interface SeatingFieldError {
  field: string;
  message: string;
}

export type SeatingProblemCheck = { ok: true; problem: SeatingProblem } | { ok: false; errors: SeatingFieldError[] };

const validateSchema = ajv.compile(SeatingProblemSchema);
const validatePlanSchema = ajv.compile(SeatingPlanSchema);

/** `/relations/3/b` → `relations[3].b`: how a planner reads a place in the file. */
export function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

function schemaError(e: ErrorObject): SeatingFieldError {
  // Values are left out on purpose: the file may not be what the operator thought it was, and never is echoed.
  if (e.keyword === 'additionalProperties') return { field: fieldName(e.instancePath, String(e.params.additionalProperty)), message: 'is not a field of the seating format' };
  if (e.keyword === 'required') return { field: fieldName(e.instancePath, String(e.params.missingProperty)), message: 'is required' };
  return { field: fieldName(e.instancePath), message: e.message ?? 'is invalid' };
}

export function checkPlanShape(raw: unknown): { ok: true; plan: SeatingPlan } | { ok: false; errors: SeatingFieldError[] } {
  if (validatePlanSchema(raw)) return { ok: true, plan: raw as SeatingPlan };
  return { ok: false, errors: (validatePlanSchema.errors ?? []).slice(0, 1).map(schemaError) };
}

/** Smallest union-find: together groups. */
export function togetherGroups(partyCount: number, pairs: Iterable<[number, number]>): Int32Array {
  const parent = new Int32Array(partyCount);
  for (let i = 0; i < partyCount; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const [a, b] of pairs) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  for (let i = 0; i < partyCount; i++) parent[i] = find(i);
  return parent;
}

const MAX_ERRORS = 20;

/**
 * The schema, then what a schema cannot say: unique ids, relations and locks naming parties and tables that exist, a
 * pair that is not both apart and together (also through a together group), one score per pair, and locks that can
 * hold: a locked party (with its together group) fits its table's capacity and carries the table's needs, a group is
 * not locked to two tables, and parties locked to one table are not to be kept apart.
 */
export function checkSeatingProblem(raw: unknown): SeatingProblemCheck {
  if (!validateSchema(raw)) return { ok: false, errors: (validateSchema.errors ?? []).slice(0, 1).map(schemaError) };
  const problem = raw as SeatingProblem;
  const errors: SeatingFieldError[] = [];
  const add = (field: string, message: string) => {
    if (errors.length < MAX_ERRORS) errors.push({ field, message });
  };

  const tableIndex = new Map<string, number>();
  problem.tables.forEach((t, i) => {
    if (tableIndex.has(t.id)) add(`tables[${i}].id`, `repeats the id of tables[${tableIndex.get(t.id)}]`);
    else tableIndex.set(t.id, i);
  });
  const partyIndex = new Map<string, number>();
  problem.parties.forEach((p, i) => {
    if (partyIndex.has(p.id)) add(`parties[${i}].id`, `repeats the id of parties[${partyIndex.get(p.id)}]`);
    else partyIndex.set(p.id, i);
    if (p.table !== undefined && !tableIndex.has(p.table)) add(`parties[${i}].table`, 'names no table of this problem');
  });
  if (errors.length) return { ok: false, errors };

  const relations = problem.relations ?? [];
  const togetherPairs: [number, number][] = [];
  const apartPairs: { a: number; b: number; at: number }[] = [];
  const scoreAt = new Map<string, number>();
  relations.forEach((r, i) => {
    const a = partyIndex.get(r.a);
    const b = partyIndex.get(r.b);
    if (a === undefined) add(`relations[${i}].a`, 'names no party of this problem');
    if (b === undefined) add(`relations[${i}].b`, 'names no party of this problem');
    if (a === undefined || b === undefined) return;
    if (a === b) return add(`relations[${i}].b`, 'is the same party as a');
    if (r.apart === true && r.together === true) return add(`relations[${i}]`, 'is both apart and together');
    if (r.score === undefined && r.apart !== true && r.together !== true) return add(`relations[${i}]`, 'has none of score, apart: true, together: true');
    if (r.score !== undefined) {
      const key = a < b ? `${a}:${b}` : `${b}:${a}`;
      const first = scoreAt.get(key);
      if (first !== undefined) add(`relations[${i}].score`, `repeats the score of the same pair in relations[${first}]`);
      else scoreAt.set(key, i);
    }
    if (r.together === true) togetherPairs.push([a, b]);
    if (r.apart === true) apartPairs.push({ a, b, at: i });
  });
  if (errors.length) return { ok: false, errors };

  const group = togetherGroups(problem.parties.length, togetherPairs);
  for (const { a, b, at } of apartPairs) {
    if (group[a] === group[b]) add(`relations[${at}]`, 'keeps apart two parties that other relations put together');
  }

  // Locks per together group: one table at most, and the group must fit it.
  const groupLock = new Map<number, { table: number; at: number }>();
  problem.parties.forEach((p, i) => {
    if (p.table === undefined) return;
    const t = tableIndex.get(p.table)!;
    const g = group[i]!;
    const seen = groupLock.get(g);
    if (seen && seen.table !== t) add(`parties[${i}].table`, `differs from the table of parties[${seen.at}], which it must sit together with`);
    else if (!seen) groupLock.set(g, { table: t, at: i });
  });
  if (errors.length) return { ok: false, errors };

  const lockedLoad = new Map<number, number>();
  problem.parties.forEach((p, i) => {
    const lock = groupLock.get(group[i]!);
    if (!lock) return;
    const table = problem.tables[lock.table]!;
    const tags = new Set(table.tags ?? []);
    const missing = (p.needs ?? []).filter((n) => !tags.has(n));
    if (missing.length) add(`parties[${lock.at}].table`, `is a table without a tag that parties[${i}] needs`);
    lockedLoad.set(lock.table, (lockedLoad.get(lock.table) ?? 0) + p.size);
  });
  for (const [t, load] of lockedLoad) {
    if (load > problem.tables[t]!.capacity) add(`tables[${t}].capacity`, `is less than the ${load} guests locked to this table`);
  }
  for (const { a, b, at } of apartPairs) {
    const la = groupLock.get(group[a]!);
    const lb = groupLock.get(group[b]!);
    if (la && lb && la.table === lb.table) add(`relations[${at}]`, 'keeps apart two parties locked to one table');
  }
  return errors.length ? { ok: false, errors } : { ok: true, problem };
}

export class SeatingProblemError extends Error {
  constructor(readonly errors: SeatingFieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}
