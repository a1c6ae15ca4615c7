// A hand move on the seating chart, checked as the engine's plans are (SYSTEM.md "Seating problem and plan"): the table
// has the seats, carries the party's needs, and no hard rule breaks. Parties bound by `together` move as one block.
// Pure, shared by the console's API (which refuses) and the chart page (which says why before asking the server).
import type { ChartParty, ChartRelation, ChartTable, MoveRefusal, MoveRefusalCode } from '../console/seating';

export type MoveCheck = { ok: true; moving: string[] } | ({ ok: false } & MoveRefusal);

export interface MoveInput {
  tables: readonly ChartTable[];
  parties: readonly ChartParty[];
  relations: readonly ChartRelation[];
  guestId: string;
  /** null: unseat. */
  toTableId: string | null;
}

const refuse = (code: MoveRefusalCode, message: string, params: MoveRefusal['params'] = {}): MoveCheck => ({ ok: false, code, message, params });

const seats = (n: number) => `${n} free seat${n === 1 ? '' : 's'}`;

/** The party and every party bound to it, directly or through others, by a hard `together` rule; the party first. */
export function togetherBlock(guestId: string, relations: readonly ChartRelation[]): string[] {
  const bound = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = bound.get(a);
    if (list) list.push(b);
    else bound.set(a, [b]);
  };
  for (const r of relations) {
    if (r.rule !== 'together' || r.a === r.b) continue;
    link(r.a, r.b);
    link(r.b, r.a);
  }
  const block = [guestId];
  const seen = new Set(block);
  for (let i = 0; i < block.length; i++) {
    for (const next of bound.get(block[i]!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      block.push(next);
    }
  }
  return block;
}

export function checkMove(input: MoveInput): MoveCheck {
  const { tables, parties, relations, guestId, toTableId } = input;
  const byId = new Map(parties.map((p) => [p.guest_id, p]));
  const party = byId.get(guestId);
  if (!party) return refuse('unknown_party', `There is no party ${guestId} on this seating chart.`, { guest: guestId });
  const table = toTableId === null ? null : tables.find((t) => t.id === toTableId);
  if (table === undefined) return refuse('unknown_table', `There is no table ${String(toTableId)} on this seating chart.`, { table: String(toTableId) });

  // A together-partner not on the chart (revoked, say) is not coming: it neither moves nor blocks the move.
  const block = togetherBlock(guestId, relations).map((id) => byId.get(id)).filter((p): p is ChartParty => p !== undefined);
  const moving = block.map((p) => p.guest_id);
  // Dropped where it already is: nothing changes, so nothing to refuse (not even a lock).
  if (block.every((p) => p.table_id === toTableId)) return { ok: true, moving };

  const locked = block.find((p) => p.locked);
  if (locked) {
    const via = locked === party ? '' : `, and ${party.name}'s party sits with it`;
    return refuse('locked', `${locked.name}'s party is locked at its table${via}; unlock it first.`, { name: locked.name });
  }
  if (table === null) return { ok: true, moving };

  const who = block.length === 1 ? `${party.name}'s party` : `${party.name}'s party and those seated with it`;
  const verb = block.length === 1 ? 'needs' : 'need';
  const tags = new Set(table.tags);
  const missing: string[] = [];
  for (const p of block) for (const need of p.needs) if (!tags.has(need) && !missing.includes(need)) missing.push(need);
  if (missing.length > 0) {
    return refuse('needs', `${table.label} does not have what ${who} ${verb}: ${missing.join(', ')}.`, { table: table.label, missing: missing.join(', '), name: party.name });
  }

  const inBlock = new Set(moving);
  const seated = parties.filter((p) => p.table_id === table.id && !inBlock.has(p.guest_id));
  const free = table.capacity - seated.reduce((sum, p) => sum + p.party_size, 0);
  const needed = block.reduce((sum, p) => sum + p.party_size, 0);
  if (needed > free) {
    const shown = Math.max(0, free);
    return refuse('over_capacity', `${table.label} has ${seats(shown)}; ${who} ${verb} ${needed}.`, { table: table.label, free: shown, needed, name: party.name });
  }

  const there = new Set(seated.map((p) => p.guest_id));
  for (const r of relations) {
    if (r.rule !== 'apart') continue;
    const [mover, other] = inBlock.has(r.a) && there.has(r.b) ? [r.a, r.b] : inBlock.has(r.b) && there.has(r.a) ? [r.b, r.a] : [null, null];
    if (mover === null || other === null) continue;
    const m = byId.get(mover)!;
    const o = byId.get(other)!;
    return refuse('apart', `${m.name}'s party must not sit with ${o.name}'s party, who is at ${table.label}.`, { name: m.name, other: o.name, table: table.label });
  }
  return { ok: true, moving };
}
