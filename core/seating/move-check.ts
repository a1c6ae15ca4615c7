// A hand move on the seating chart, checked as the engine's plans are (SYSTEM.md "Seating problem and plan"): the table
// has the seats, carries the party's needs, and no hard rule breaks. Parties bound by `together` move as one block.
// Pure, shared by the console's API (which refuses) and the chart page (which says why before asking the server).
import type { ChartParty, ChartRelation, ChartTable, MoveRefusal } from '../console/seating';

export type MoveCheck = { ok: true; moving: string[] } | ({ ok: false } & MoveRefusal);

export interface MoveInput {
  tables: readonly ChartTable[];
  parties: readonly ChartParty[];
  relations: readonly ChartRelation[];
  guestId: string;
  /** null: unseat. */
  toTableId: string | null;
}

export function checkMove(input: MoveInput): MoveCheck {
  void input;
  throw new Error('core/seating/move-check: not built yet');
}
