// The seating chart as the page and the print pages hold it: the API's chart, the venue's newest published layout (or
// none), and what both draw from them: each table with its parties and free seats, the unseated parties. Kept in
// one signal here (not state.ts) because only the seating and print pages read it; moves patch it, others reload it.
import { signal } from '@preact/signals';
import type { Layout } from '../../../../../core/designer/layout';
import type { ChartParty, ChartTable, SeatingChart } from '../../../../../core/console/seating';
import { api, ApiError } from '../../api';
import { lang } from '../../state';

export interface TableView {
  table: ChartTable;
  parties: ChartParty[];
  /** People at the table (the parties' sizes summed). */
  seated: number;
  /** capacity − seated; negative when over-full (a table shrunk after seating). */
  free: number;
}

export interface ChartView {
  chart: SeatingChart;
  /** The newest published layout of the venue; null: none published (the page shows cards only). */
  layout: Layout | null;
  tables: TableView[];
  byId: Map<string, TableView>;
  parties: Map<string, ChartParty>;
  unseated: ChartParty[];
}

/** The loaded chart, for the occasion it names. */
export const chartView = signal<ChartView | null>(null);

/** Names and labels sorted as the language sorts them, digits as numbers ("Table 2" before "Table 10"). */
export function collator(): Intl.Collator {
  return new Intl.Collator(lang.value === 'es' ? 'es' : 'en', { numeric: true, sensitivity: 'base' });
}

export function viewOf(chart: SeatingChart, layout: Layout | null): ChartView {
  const c = collator();
  const byName = (a: ChartParty, b: ChartParty) => c.compare(a.name, b.name) || a.guest_id.localeCompare(b.guest_id);
  const tables: TableView[] = [...chart.tables].sort((a, b) => c.compare(a.label, b.label)).map((table) => ({ table, parties: [], seated: 0, free: table.capacity }));
  const byId = new Map(tables.map((v) => [v.table.id, v]));
  const unseated: ChartParty[] = [];
  for (const p of chart.parties) {
    const at = p.table_id === null ? undefined : byId.get(p.table_id);
    if (!at) {
      unseated.push(p);
      continue;
    }
    at.parties.push(p);
    at.seated += p.party_size;
    at.free -= p.party_size;
  }
  for (const v of tables) v.parties.sort(byName);
  unseated.sort(byName);
  return { chart, layout, tables, byId, parties: new Map(chart.parties.map((p) => [p.guest_id, p])), unseated };
}

/** The chart of an occasion and the venue's newest published layout (a 404: none published yet). */
export async function loadChart(occasionId: string): Promise<ChartView> {
  const chart = await api.seating(occasionId);
  let layout: Layout | null = null;
  if (chart.layout_version !== null) {
    try {
      layout = (await api.layoutVersion(chart.venue_id, 'latest')).layout;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'not_found')) throw e;
    }
  }
  const view = viewOf(chart, layout);
  chartView.value = view;
  return view;
}

/**
 * The chart again after a write, keeping the layout already drawn when the chart names the same published version
 * (the layout is the larger part and an apply does not change it).
 */
export async function refreshChart(occasionId: string): Promise<ChartView> {
  const shown = chartView.value;
  const chart = await api.seating(occasionId);
  if (!shown || shown.chart.occasion_id !== occasionId || shown.chart.layout_version !== chart.layout_version) return loadChart(occasionId);
  const view = viewOf(chart, shown.layout);
  chartView.value = view;
  return view;
}

/** Parties changed by a move or a lock (the API answers them): the chart follows without a reload. */
export function patchParties(moved: readonly ChartParty[]): void {
  const v = chartView.value;
  if (!v || moved.length === 0) return;
  const next = new Map(moved.map((p) => [p.guest_id, p]));
  const parties = v.chart.parties.map((p) => next.get(p.guest_id) ?? p);
  chartView.value = viewOf({ ...v.chart, parties }, v.layout);
}

/** The label of a table id, or null for none. */
export function tableLabel(v: ChartView, id: string | null): string | null {
  if (id === null) return null;
  return v.byId.get(id)?.table.label ?? id;
}
