// Dragging a party onto a table with the pointer (mouse, pen, touch): pointer events and a ghost that follows the
// pointer, the target found under it with elementFromPoint (the ghost lets the pointer through). HTML5 drag and drop
// is left out: it shows no ghost for touch and Playwright's mouse cannot drive it reliably. The keyboard way is the
// party panel's "Move to table".
import { signal } from '@preact/signals';
import type { JSX } from 'preact';

export interface DragState {
  guestId: string;
  name: string;
  x: number;
  y: number;
  /** Under the pointer: a table id, '' the unseated list, null nothing. */
  over: string | null;
}

export const drag = signal<DragState | null>(null);

/** Pixels the pointer travels before a press becomes a drag (less is a click). */
const THRESHOLD = 5;
let suppressClick = false;

/**
 * What is under the point: a table card or the unseated list (`data-drop-table`, '' for the list), or a table drawn
 * on the plan (plan-svg's `data-kind="tables"` group with its `data-id`, inside `.seating-plan`).
 */
function targetAt(x: number, y: number): string | null {
  const el = document.elementFromPoint(x, y);
  if (!el) return null;
  const card = el.closest('[data-drop-table]');
  if (card) return card.getAttribute('data-drop-table');
  const drawn = el.closest('.seating-plan [data-kind="tables"]');
  if (drawn) return drawn.getAttribute('data-id');
  return null;
}

/**
 * A party's pointerdown handler: past the threshold the party follows the pointer; released over a table (or the
 * unseated list, target null) `onDrop` runs. Escape cancels.
 */
export function partyPointerDown(guestId: string, name: string, onDrop: (guestId: string, tableId: string | null) => void) {
  return (e: JSX.TargetedPointerEvent<HTMLElement>) => {
    if (e.button !== 0 || !e.isPrimary) return;
    const x0 = e.clientX;
    const y0 = e.clientY;
    let dragging = false;
    const move = (ev: PointerEvent) => {
      if (!dragging && Math.hypot(ev.clientX - x0, ev.clientY - y0) < THRESHOLD) return;
      dragging = true;
      ev.preventDefault();
      drag.value = { guestId, name, x: ev.clientX, y: ev.clientY, over: targetAt(ev.clientX, ev.clientY) };
    };
    const end = (ev: PointerEvent | null) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
      window.removeEventListener('keydown', key);
      const was = dragging;
      drag.value = null;
      if (!was) return;
      // The click that follows the release must not also choose the party.
      suppressClick = true;
      setTimeout(() => (suppressClick = false), 0);
      if (!ev) return;
      const target = targetAt(ev.clientX, ev.clientY);
      if (target !== null) onDrop(guestId, target === '' ? null : target);
    };
    const up = (ev: PointerEvent) => end(ev);
    const cancel = () => end(null);
    const key = (ev: KeyboardEvent) => {
      if (ev.key === 'Escape') end(null);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
    window.addEventListener('keydown', key);
  };
}

/** True right after a drag ended: a click handler returns early. */
export function clickAfterDrag(): boolean {
  return suppressClick;
}

export function DragGhost() {
  const d = drag.value;
  if (!d) return null;
  return (
    <div class="drag-ghost" aria-hidden="true" style={{ transform: `translate(${d.x + 12}px, ${d.y + 8}px)` }}>
      {d.name}
    </div>
  );
}
