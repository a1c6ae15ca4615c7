// Seating a party, unseating it, locking it: the move is first checked here with core's checkMove (the same check the
// server makes), so a refusal is said at once and nothing is sent; then the API writes it (and may still refuse, 422
// seat_refused, when the chart changed meanwhile). A refusal is said in the planner's language from its code.
import type { MoveRefusal } from '../../../../../core/console/seating';
// The lint rule's `**/seating/**` pattern is for the top-level seating/ floor (solver, I/O); core/seating is pure.
import { checkMove } from '../../../../../core/seating/move-check';
import { api, ApiError } from '../../api';
import { errorText } from '../../data';
import { t } from '../../i18n';
import { announce } from '../../state';
import { chartView, loadChart, patchParties, tableLabel } from './chart-data';

const seats = (n: number) => t(n === 1 ? 'seating.free_seats_one' : 'seating.free_seats', { n });

/** Why a move is refused, in the current language (the server's English words when the code's params are missing). */
export function refusalText(r: MoveRefusal): string {
  const p = r.params;
  const s = (k: string) => (p[k] === undefined ? null : String(p[k]));
  const has = (...ks: string[]) => ks.every((k) => p[k] !== undefined);
  switch (r.code) {
    case 'over_capacity':
      return has('table', 'free', 'needed', 'name')
        ? t('seating.refusal.over_capacity', { table: s('table')!, seats: seats(Number(p.free)), needed: s('needed')!, name: s('name')! })
        : r.message;
    case 'apart':
      return has('name', 'other', 'table') ? t('seating.refusal.apart', { name: s('name')!, other: s('other')!, table: s('table')! }) : r.message;
    case 'together':
      return has('name', 'other') ? t('seating.refusal.together', { name: s('name')!, other: s('other')! }) : r.message;
    case 'needs':
      return has('table', 'missing', 'name') ? t('seating.refusal.needs', { table: s('table')!, missing: s('missing')!, name: s('name')! }) : r.message;
    case 'locked':
      return has('name') ? t('seating.refusal.locked', { name: s('name')! }) : r.message;
    case 'unknown_table':
      return t('seating.refusal.unknown_table');
    case 'unknown_party':
      return t('seating.refusal.unknown_party');
    default: {
      const never: never = r.code;
      return String(never) && r.message;
    }
  }
}

/** The local check; null when it cannot say (the chart is not loaded, or core's check throws). */
function localRefusal(guestId: string, toTableId: string | null): MoveRefusal | null {
  const v = chartView.value;
  if (!v) return null;
  try {
    const r = checkMove({ tables: v.chart.tables, parties: v.chart.parties, relations: v.chart.relations, guestId, toTableId });
    return r.ok ? null : { code: r.code, message: r.message, params: r.params };
  } catch {
    // The server checks again regardless.
    return null;
  }
}

export type MoveOutcome = { ok: true } | { ok: false; text: string };

/**
 * Seats a party at a table (null: unseats it). A refusal is returned for the page to show; a success patches
 * the chart with what the server moved and says so.
 */
export async function moveParty(occasionId: string, guestId: string, toTableId: string | null): Promise<MoveOutcome> {
  const v = chartView.value;
  const party = v?.parties.get(guestId);
  if (!v || !party) return { ok: false, text: t('seating.refusal.unknown_party') };
  if (party.table_id === toTableId) return { ok: true };
  const refused = localRefusal(guestId, toTableId);
  if (refused) return fail(refusalText(refused));
  try {
    const res = await api.moveParty(occasionId, { guest_id: guestId, table_id: toTableId, version: party.version });
    patchParties(res.moved);
    const now = chartView.value!;
    const others = res.moved.filter((p) => p.guest_id !== guestId).map((p) => p.name);
    const to = tableLabel(now, toTableId);
    announce(
      (to === null ? t('seating.unseated', { name: party.name }) : t('seating.moved', { name: party.name, table: to }))
      + (others.length ? ` ${t('seating.moved_with', { names: others.join(', ') })}` : ''),
    );
    return { ok: true };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'seat_refused' && e.refusal) {
      // The page passed it, so its chart was behind the server's: show the chart the refusal speaks of.
      await loadChart(occasionId).catch(() => undefined);
      return fail(refusalText(e.refusal));
    }
    if (e instanceof ApiError && e.code === 'conflict') {
      // Someone changed the party meanwhile: show the chart as it is now.
      await loadChart(occasionId).catch(() => undefined);
      return fail(t('seating.conflict'));
    }
    return fail(errorText(e));
  }
}

// Not announced: the page shows the reason beside the chart in an alert (role=alert reads it once).
function fail(text: string): MoveOutcome {
  return { ok: false, text };
}

export async function lockParty(occasionId: string, guestId: string, locked: boolean): Promise<MoveOutcome> {
  const party = chartView.value?.parties.get(guestId);
  if (!party) return fail(t('seating.refusal.unknown_party'));
  try {
    const res = await api.lockParty(occasionId, { guest_id: guestId, locked, version: party.version });
    patchParties(res.moved);
    announce(t(locked ? 'seating.locked_done' : 'seating.unlocked_done', { name: party.name }));
    return { ok: true };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'conflict') await loadChart(occasionId).catch(() => undefined);
    return fail(e instanceof ApiError && e.code === 'conflict' ? t('seating.conflict') : errorText(e));
  }
}
