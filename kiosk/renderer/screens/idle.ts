// The idle screen: the venue's name and what to do, and "Find my table" for guests without a ticket. Nothing on it
// changes; the scan that ends it arrives in ../scans.ts.
import { h } from '../dom';
import type { Messages } from '../i18n';

/** `onFind`: the "Find my table" button's action; null where the kiosk config switched it off (no button). */
export function idleScreen(t: Messages, venueName: string, onFind: (() => void) | null): HTMLElement {
  const section = h('section', { class: 'screen center', 'data-screen': 'idle' }, h('div', { class: 'venue' }, venueName), h('h1', {}, t.idleTitle), h('p', { class: 'hint' }, t.idleHint), h('div', { class: 'scan-frame', 'aria-hidden': 'true' }));
  if (onFind) {
    const find = h('button', { type: 'button', class: 'find-button', 'data-testid': 'find-button' }, t.findButton);
    find.addEventListener('click', onFind);
    section.append(find);
  }
  return section;
}
