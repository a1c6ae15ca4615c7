// The seating chart as the console reads it (core/console/seating.ts SeatingChart): the venue's live tables, the
// occasion's active guests as parties, every relation between two of them, and the published layout's version; and
// the check an applied plan must pass before it is kept (chartBreaks).
import type { ChartParty, ChartRelation, ChartTable, SeatingChart } from '../../../core/console/seating';
import type { Queryable } from '../../db';

/** Table labels in the order people count them: T2 before T10. */
const LABELS = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

interface PartyRow {
  id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  version: number;
  grp: string | null;
  needs: string[];
  seat_locked: boolean;
  together_with: string[];
  apart_from: string[];
}

/** The venue's newest published layout version; null: never published. */
async function layoutVersion(q: Queryable, venueId: string): Promise<number | null> {
  const [row] = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM guestlist.layout_versions WHERE venue_id = $1', [venueId]);
  return row?.v ?? null;
}

const partyOf = (r: PartyRow): ChartParty => ({
  guest_id: r.id, name: r.name, party_size: r.party_size, table_id: r.table_id, locked: r.seat_locked, needs: r.needs, group: r.grp, version: Number(r.version),
});

/** The occasion's active guests (revoked ones are left out: they will not come in), all or those named, by name. */
async function partyRows(q: Queryable, tenantId: string, occasion: { id: string; venue_id: string }, ids?: readonly string[]): Promise<PartyRow[]> {
  const rows = await q.query<PartyRow>(
    `SELECT g.id, g.name, g.party_size, g.table_id, g.version, s.grp, coalesce(s.needs, '{}') AS needs,
            coalesce(s.seat_locked, false) AS seat_locked, coalesce(s.together_with, '{}') AS together_with, coalesce(s.apart_from, '{}') AS apart_from
       FROM guestlist.guests g LEFT JOIN guestlist.guest_seating s ON s.guest_id = g.id
      WHERE g.tenant_id = $1 AND g.venue_id = $2 AND g.occasion_id = $3 AND NOT g.deleted AND g.status = 'active'${ids ? ' AND g.id = ANY ($4::text[])' : ''}`,
    ids ? [tenantId, occasion.venue_id, occasion.id, ids] : [tenantId, occasion.venue_id, occasion.id],
  );
  return rows.sort((x, y) => LABELS.compare(x.name, y.name) || (x.id < y.id ? -1 : 1));
}

/** Some parties of the chart as they now are (a move's answer). */
export async function loadParties(q: Queryable, tenantId: string, occasion: { id: string; venue_id: string }, ids: readonly string[]): Promise<ChartParty[]> {
  return (await partyRows(q, tenantId, occasion, ids)).map(partyOf);
}

export async function loadChart(q: Queryable, tenantId: string, occasion: { id: string; venue_id: string }): Promise<SeatingChart> {
  const tableRows = await q.query<ChartTable>(
    `SELECT t.id, t.label, t.capacity, coalesce(tt.tags, '{}') AS tags FROM guestlist.seating_tables t
       LEFT JOIN guestlist.seating_table_tags tt ON tt.table_id = t.id
      WHERE t.tenant_id = $1 AND t.venue_id = $2 AND NOT t.deleted`,
    [tenantId, occasion.venue_id],
  );
  const tables = tableRows.sort((x, y) => LABELS.compare(x.label, y.label) || (x.id < y.id ? -1 : 1));
  const rows = await partyRows(q, tenantId, occasion);
  const parties = rows.map(partyOf);
  const live = new Set(rows.map((r) => r.id));
  const pairs = new Map<string, ChartRelation>();
  const pair = (x: string, y: string): ChartRelation | null => {
    if (x === y || !live.has(x) || !live.has(y)) return null;
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}\u0000${b}`;
    return pairs.get(key) ?? pairs.set(key, { a, b, score: null, rule: null }).get(key)!;
  };
  const stored = await q.query<ChartRelation>('SELECT a, b, score, rule FROM guestlist.seating_relations WHERE tenant_id = $1 AND occasion_id = $2', [tenantId, occasion.id]);
  for (const r of stored) {
    const rel = pair(r.a, r.b);
    if (!rel) continue;
    rel.score = r.score;
    rel.rule = r.rule;
  }
  // The guest file's together_with / apart_from columns are hard rules too (cloud-sync/seating/occasion-problem.ts).
  for (const r of rows) {
    for (const [others, rule] of [[r.together_with, 'together'], [r.apart_from, 'apart']] as const) {
      for (const other of others) {
        const rel = pair(r.id, other);
        if (rel && rel.rule === null) rel.rule = rule;
      }
    }
  }
  const relations = [...pairs.values()].sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
  return { occasion_id: occasion.id, venue_id: occasion.venue_id, layout_version: await layoutVersion(q, occasion.venue_id), tables, parties, relations };
}

/**
 * What the parties in `moved` break on the chart as it now is, in a sentence, or null: a table they sit at seats more
 * than its capacity, lacks one of their needs, or a hard rule of theirs is broken. Only what the moves touch: a
 * table already over capacity before them is the planner's to fix, not a reason to refuse an unrelated plan.
 */
export function chartBreaks(chart: SeatingChart, moved: ReadonlySet<string>): string | null {
  const tableById = new Map(chart.tables.map((t) => [t.id, t]));
  const partyById = new Map(chart.parties.map((p) => [p.guest_id, p]));
  const label = (id: string | null) => (id === null ? 'no table' : (tableById.get(id)?.label ?? id));
  const touched = new Set<string>();
  for (const id of moved) {
    const p = partyById.get(id);
    if (p?.table_id) touched.add(p.table_id);
  }
  for (const tableId of touched) {
    const t = tableById.get(tableId);
    if (!t) return `a party would sit at ${tableId}, which is no table of this venue`;
    const seated = chart.parties.reduce((n, p) => n + (p.table_id === tableId ? p.party_size : 0), 0);
    if (seated > t.capacity) return `${t.label} would seat ${seated} guests but has ${t.capacity} seats`;
  }
  for (const id of moved) {
    const p = partyById.get(id);
    if (!p?.table_id) continue;
    const tags = new Set(tableById.get(p.table_id)?.tags ?? []);
    const missing = p.needs.filter((n) => !tags.has(n));
    if (missing.length) return `${p.name}'s party needs ${missing.join(', ')}, which ${label(p.table_id)} does not have`;
  }
  for (const r of chart.relations) {
    if (r.rule === null || (!moved.has(r.a) && !moved.has(r.b))) continue;
    const a = partyById.get(r.a);
    const b = partyById.get(r.b);
    if (!a || !b) continue;
    if (r.rule === 'apart' && a.table_id !== null && a.table_id === b.table_id) return `${a.name}'s and ${b.name}'s parties must sit apart but would both be at ${label(a.table_id)}`;
    if (r.rule === 'together' && a.table_id !== b.table_id) return `${a.name}'s and ${b.name}'s parties must sit together but would be at ${label(a.table_id)} and ${label(b.table_id)}`;
  }
  return null;
}
