// An occasion's relations CSV: `seatpilot cloud seating relations import --occasion O FILE.csv`. Columns `a`, `b`
// (guest_ids of the occasion) and `score`: a whole number −100…100 (soft: positive rather together, negative rather
// apart) or the word `apart` or `together` (hard). The file replaces the occasion's relations; one bad row refuses it
// with every bad row as `line N: reason`, as the guest import does.
import type { Db } from '../db';
import { ID_PATTERN, ImportError, cell, lockVenue, readCsvTable, type ImportProblem } from '../guestlist/common';
import { AdminError } from '../admin';

export const RELATION_COLUMNS = ['a', 'b', 'score'] as const;
const WHAT = 'relations import';

export interface RelationRow {
  a: string;
  b: string;
  score: number | null;
  rule: 'apart' | 'together' | null;
}

export async function importRelations(db: Db, occasionId: string, csv: string): Promise<{ occasion_id: string; rows: number; scores: number; apart: number; together: number }> {
  const t = readCsvTable(WHAT, csv, RELATION_COLUMNS, ['a', 'b', 'score']);
  return db.tx(async (q) => {
    const [occ] = await q.query<{ venue_id: string }>('SELECT venue_id FROM guestlist.occasions WHERE id = $1 AND NOT deleted', [occasionId]);
    if (!occ) throw new AdminError(`no occasion "${occasionId}"`);
    const { tenantId } = await lockVenue(q, occ.venue_id);
    const guests = new Set(
      (await q.query<{ id: string }>('SELECT id FROM guestlist.guests WHERE venue_id = $1 AND occasion_id = $2 AND NOT deleted', [occ.venue_id, occasionId])).map((r) => r.id),
    );
    const problems: ImportProblem[] = [];
    const lineOfPair = new Map<string, number>();
    const rows: RelationRow[] = [];
    for (const row of t.rows) {
      const bad = (reason: string) => problems.push({ line: row.line, reason });
      const before = problems.length;
      const ids = (['a', 'b'] as const).map((col) => {
        const id = cell(t, row, col);
        if (!id) bad(`${col} is empty`);
        else if (!ID_PATTERN.test(id)) bad(`${col} "${id.slice(0, 40)}" is not a guest_id`);
        else if (!guests.has(id)) bad(`${col} "${id}" is no guest of this occasion`);
        return id;
      });
      const [a, b] = [...ids].sort() as [string, string];
      if (a && a === b) bad('a and b are the same guest');
      const text = cell(t, row, 'score').toLowerCase();
      let score: number | null = null;
      let rule: RelationRow['rule'] = null;
      if (text === 'apart' || text === 'together') rule = text;
      else if (/^[-+]?\d{1,3}$/.test(text) && Math.abs(Number(text)) <= 100) score = Number(text);
      else bad(`score "${cell(t, row, 'score').slice(0, 20)}" must be a whole number from -100 to 100, apart or together`);
      if (problems.length > before) continue;
      const key = `${a}\u0000${b}`;
      const first = lineOfPair.get(key);
      if (first !== undefined) {
        bad(`the pair ${a}, ${b} is also on line ${first}`);
        continue;
      }
      lineOfPair.set(key, row.line);
      rows.push({ a, b, score, rule });
    }
    if (problems.length) throw new ImportError(WHAT, problems);
    await q.query('DELETE FROM guestlist.seating_relations WHERE occasion_id = $1', [occasionId]);
    if (rows.length) {
      await q.query(
        `INSERT INTO guestlist.seating_relations (tenant_id, venue_id, occasion_id, a, b, score, rule)
         SELECT $2, $3, $4, r.a, r.b, r.score, r.rule FROM jsonb_to_recordset($1::jsonb) AS r(a text, b text, score integer, rule text)`,
        [JSON.stringify(rows), tenantId, occ.venue_id, occasionId],
      );
    }
    return {
      occasion_id: occasionId, rows: rows.length, scores: rows.filter((r) => r.score !== null).length,
      apart: rows.filter((r) => r.rule === 'apart').length, together: rows.filter((r) => r.rule === 'together').length,
    };
  });
}
