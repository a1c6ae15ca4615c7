// The Seat Designer's state and commands: the layout being drawn (through an undo History), the selection, the tool,
// the view, the reachability report, and the draft's autosave. Signals here because only the designer reads them;
// the canvas, toolbar and panels call the commands below and never change the layout any other way.
import { signal } from '@preact/signals';
import {
  deleteElements, duplicateElements, elementBounds, moveElements, rotateElements, type ElementRef,
} from '../../../../../core/designer/geometry';
import { History } from '../../../../../core/designer/history';
import { checkReachability, type ReachReport } from '../../../../../core/designer/reach';
import { ELEMENT_KINDS, emptyLayout, type ElementKind, type Layout, type LayoutTable } from '../../../../../core/designer/layout';
import type { LayoutDraft } from '../../../../../core/console/layout';
import { api, ApiError } from '../../api';
import { errorText } from '../../data';
import { roomView, type ViewBox } from '../plan/plan-svg';

export type Tool =
  | 'select' | 'wall' | 'door' | 'table_round' | 'table_rect' | 'table_banquet'
  | 'stage' | 'bar' | 'dance_floor' | 'pillar' | 'zone' | 'label';
export const TOOLS: readonly Tool[] = ['select', 'wall', 'door', 'table_round', 'table_rect', 'table_banquet', 'stage', 'bar', 'dance_floor', 'pillar', 'zone', 'label'];

export type SaveState =
  | { s: 'saved' } | { s: 'dirty' } | { s: 'saving' } | { s: 'error'; reason: string } | { s: 'conflict' };

export const doc = signal<Layout>(emptyLayout());
export const sel = signal<ElementRef[]>([]);
export const tool = signal<Tool>('select');
export const view = signal<ViewBox>(roomView(doc.value));
/** Bumped when undo/redo availability may have changed. */
export const histTick = signal(0);
export const reach = signal<ReachReport | null>(null);
/** The layout `reach` was computed on: what the problems and route panels read, so a drag does not re-render them. */
export const checked = signal<Layout>(doc.value);
export const draft = signal<LayoutDraft | null>(null);
export const loadError = signal<string | null>(null);
export const save = signal<SaveState>({ s: 'saved' });
/** A gesture (drag, rotate, resize) is under way: the reachability check waits for its end. */
export const gesture = signal(false);

const history = new History<Layout>(doc.value);
let venue: string | null = null;
let saved: Layout = doc.value;

export const canUndo = () => (histTick.value, history.canUndo);
export const canRedo = () => (histTick.value, history.canRedo);

const PREFIX: Record<ElementKind, string> = { walls: 'w', doors: 'd', zones: 'z', obstacles: 'o', tables: 't', labels: 'l' };
export const newId = (kind: ElementKind) => `${PREFIX[kind]}-${crypto.randomUUID().slice(0, 8)}`;

export const refKey = (r: ElementRef) => `${r.kind}:${r.id}`;
export const isSelected = (r: ElementRef) => sel.value.some((s) => s.kind === r.kind && s.id === r.id);

export function findEl(layout: Layout, r: ElementRef): Layout[ElementKind][number] | undefined {
  return (layout[r.kind] as ReadonlyArray<{ id: string }>).find((e) => e.id === r.id) as Layout[ElementKind][number] | undefined;
}

/** Every element, kind by kind in drawing order: what Tab walks through and Ctrl+A selects. */
export function allRefs(layout: Layout): ElementRef[] {
  return ELEMENT_KINDS.flatMap((kind) => (layout[kind] as ReadonlyArray<{ id: string }>).map((e) => ({ kind, id: e.id })));
}

/** The layout with one element replaced by a patched copy; everything else shared. */
export function patchEl(layout: Layout, r: ElementRef, patch: Record<string, unknown>): Layout {
  const list = layout[r.kind] as ReadonlyArray<{ id: string }>;
  return { ...layout, [r.kind]: list.map((e) => (e.id === r.id ? { ...e, ...patch } : e)) };
}

export function addEl(layout: Layout, kind: ElementKind, el: Layout[ElementKind][number]): Layout {
  return { ...layout, [kind]: [...(layout[kind] as readonly unknown[]), el] };
}

/** The smallest whole number no table is labelled with. */
export function nextTableLabel(tables: readonly LayoutTable[]): string {
  const used = new Set(tables.map((t) => t.label));
  let n = 1;
  while (used.has(String(n))) n++;
  return String(n);
}

// --- changing the layout ------------------------------------------------------------------------------------------

let reachFrame = 0;
/** Re-checks reachability once per animation frame at most, never while a gesture is under way (its end asks again). */
export function scheduleReach(): void {
  if (gesture.value || reachFrame) return;
  // After the frame is painted (a timeout from inside rAF), so the change shows before the check's ~30-100 ms.
  reachFrame = requestAnimationFrame(() => {
    setTimeout(() => {
      reachFrame = 0;
      recheck();
    }, 0);
  });
}

function recheck(): void {
  checked.value = doc.value;
  reach.value = checkReachability(doc.value);
}

/** A new layout: one undo step, or part of the step named `coalesce` (a drag, a field being typed). */
export function commit(next: Layout, coalesce?: string): void {
  if (next === doc.value) return;
  history.push(next, coalesce);
  doc.value = next;
  histTick.value++;
  changed();
}

/** Ends the current coalescing run (pointer up, a field left). */
export function seal(): void {
  history.seal();
}

function pruneSelection(): void {
  const layout = doc.value;
  const kept = sel.value.filter((r) => findEl(layout, r));
  if (kept.length !== sel.value.length) sel.value = kept;
}

export function undo(): void {
  if (!history.canUndo) return;
  doc.value = history.undo();
  histTick.value++;
  pruneSelection();
  changed();
}

export function redo(): void {
  if (!history.canRedo) return;
  doc.value = history.redo();
  histTick.value++;
  pruneSelection();
  changed();
}

function changed(): void {
  scheduleReach();
  scheduleSave();
}

export function select(refs: ElementRef[]): void {
  sel.value = refs;
}

export function toggle(r: ElementRef): void {
  sel.value = isSelected(r) ? sel.value.filter((s) => !(s.kind === r.kind && s.id === r.id)) : [...sel.value, r];
}

/** Moves the selection by dx, dy metres (the arrow keys). */
export function nudge(dx: number, dy: number): void {
  if (sel.value.length) commit(moveElements(doc.value, sel.value, dx, dy));
}

export function rotateSelection(deg: number): void {
  if (sel.value.length) commit(rotateElements(doc.value, sel.value, deg));
}

export function deleteSelection(): void {
  if (!sel.value.length) return;
  commit(deleteElements(doc.value, sel.value));
  sel.value = [];
}

export function duplicateSelection(): void {
  if (!sel.value.length) return;
  const out = duplicateElements(doc.value, sel.value, 1, 1, newId);
  commit(relabelCopies(out.layout, out.refs));
  sel.value = out.refs;
}

/** A copied table keeps its original's label, but labels are unique (the server refuses the draft): copies take the next free ones. */
function relabelCopies(layout: Layout, copies: readonly ElementRef[]): Layout {
  const ids = new Set(copies.filter((r) => r.kind === 'tables').map((r) => r.id));
  if (!ids.size) return layout;
  const taken = layout.tables.filter((x) => !ids.has(x.id));
  const tables = layout.tables.map((x) => {
    if (!ids.has(x.id)) return x;
    const copy = { ...x, label: nextTableLabel(taken) };
    taken.push(copy);
    return copy;
  });
  return { ...layout, tables };
}

let clipboard: { layout: Layout; refs: ElementRef[]; pasted: number } | null = null;

export function copySelection(): void {
  if (sel.value.length) clipboard = { layout: doc.value, refs: sel.value, pasted: 0 };
}

/** Pastes the copied elements (as they were when copied), each paste 1 m further down and right. */
export function paste(): void {
  if (!clipboard) return;
  const off = ++clipboard.pasted;
  const copies = duplicateElements(clipboard.layout, clipboard.refs, off, off, newId);
  let next = doc.value;
  for (const r of copies.refs) next = addEl(next, r.kind, findEl(copies.layout, r)!);
  commit(relabelCopies(next, copies.refs));
  sel.value = copies.refs;
}

// --- the view -------------------------------------------------------------------------------------------------------

/** Zooms by `factor` (> 1: closer) about a point in metres (default: the view's centre). */
export function zoom(factor: number, about?: { x: number; y: number }): void {
  const v = view.value;
  const c = about ?? { x: v.x + v.w / 2, y: v.y + v.h / 2 };
  const w = Math.min(4000, Math.max(1, v.w / factor));
  const f = w / v.w;
  view.value = { x: c.x - (c.x - v.x) * f, y: c.y - (c.y - v.y) * f, w, h: v.h * f };
}

export function fit(): void {
  view.value = roomView(doc.value);
}

export function pan(dx: number, dy: number): void {
  const v = view.value;
  view.value = { ...v, x: v.x + dx, y: v.y + dy };
}

/** The selection's bounds' centre, for announcing and for the rotation handle. */
export function selectionCentre(layout: Layout, refs: readonly ElementRef[]): { x: number; y: number } | null {
  let r: { x: number; y: number; w: number; h: number } | null = null;
  for (const ref of refs) {
    const b = elementBounds(layout, ref);
    if (!b) continue;
    r = r ? union(r, b) : b;
  }
  return r ? { x: r.x + r.w / 2, y: r.y + r.h / 2 } : null;
}

function union(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

// --- loading and saving the draft -----------------------------------------------------------------------------------

const SAVE_DELAY_MS = 800;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
let saving: Promise<void> | null = null;

/** Starts over from a draft the server answered (load, "load their version", restore). */
export function takeDraft(d: LayoutDraft): void {
  draft.value = d;
  history.reset(d.layout);
  doc.value = d.layout;
  saved = d.layout;
  sel.value = [];
  histTick.value++;
  save.value = { s: 'saved' };
  view.value = roomView(d.layout);
  recheck();
}

export async function load(venueId: string): Promise<void> {
  if (venue && venue !== venueId && doc.value !== saved) await flush();
  venue = venueId;
  draft.value = null;
  loadError.value = null;
  clearTimeout(saveTimer);
  try {
    const d = await api.layout(venueId);
    if (venue === venueId) takeDraft(d);
  } catch (e) {
    if (venue === venueId) loadError.value = errorText(e);
  }
}

function scheduleSave(): void {
  if (save.value.s === 'conflict') return;
  if (doc.value === saved) {
    if (!saving) save.value = { s: 'saved' };
    return;
  }
  if (save.value.s !== 'saving') save.value = { s: 'dirty' };
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void flush(), SAVE_DELAY_MS);
}

/** Saves now if anything is unsaved (publishing first waits for it); one save at a time. */
export async function flush(): Promise<void> {
  clearTimeout(saveTimer);
  while (saving) await saving;
  const v = venue;
  const d = draft.value;
  const sending = doc.value;
  if (!v || !d || sending === saved || save.value.s === 'conflict') return;
  save.value = { s: 'saving' };
  saving = (async () => {
    try {
      const next = await api.saveLayout(v, { revision: d.revision, layout: sending });
      if (venue !== v) return;
      saved = sending;
      draft.value = next;
      save.value = doc.value === sending ? { s: 'saved' } : { s: 'dirty' };
      if (doc.value !== sending) scheduleSave();
    } catch (e) {
      if (venue !== v) return;
      save.value = e instanceof ApiError && e.code === 'conflict' ? { s: 'conflict' } : { s: 'error', reason: errorText(e) };
    } finally {
      saving = null;
    }
  })();
  await saving;
}

/** Whether leaving the page would lose changes. */
export const unsaved = () => doc.value !== saved;

/** After a conflict: the draft as the server has it now (ours is dropped). */
export async function loadTheirs(): Promise<void> {
  if (!venue) return;
  const v = venue;
  try {
    const d = await api.layout(v);
    if (venue === v) takeDraft(d);
  } catch (e) {
    save.value = { s: 'error', reason: errorText(e) };
  }
}

export const currentVenue = () => venue;

/** The background's "scale by two points": null when not picking, else the points clicked so far (metres). */
export const scalePick = signal<{ x: number; y: number }[] | null>(null);
/** The route shown from a door to a table (reach.ts routeFor), or null. */
export const shownRoute = signal<{ door: string; table: string; path: { x: number; y: number }[]; length_m: number; ok: boolean } | null>(null);
