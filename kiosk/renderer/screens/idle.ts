// The idle screen: the venue's name and what to do. Nothing on it changes; the scan that ends it arrives in ../scans.ts.
import { h } from '../dom';
import type { Messages } from '../i18n';

export function idleScreen(t: Messages, venueName: string): HTMLElement {
  return h('section', { class: 'screen center', 'data-screen': 'idle' }, h('div', { class: 'venue' }, venueName), h('h1', {}, t.idleTitle), h('p', { class: 'hint' }, t.idleHint), h('div', { class: 'scan-frame', 'aria-hidden': 'true' }));
}
