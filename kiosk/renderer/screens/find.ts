// Find my table, for a guest without a ticket: type 3+ letters of the surname, pick "Ana G." among the matches, see the
// table and the route on the floor map. Only looks up (guest.findTable): nobody is checked in from these screens.
import type { FindTableMatch, IpcError, KioskBridge, KioskSetup } from '../../ipc/channels';
import { h } from '../dom';
import type { FloorMap } from '../floor-map';
import type { Messages } from '../i18n';

/** Typing pauses this long before the kiosk searches: a word typed is one search of the rate limit, not one a letter. */
const SEARCH_AFTER_MS = 450;
const MIN_LETTERS = 3;

export interface FindHost {
  /** The floor map currently drawn (the welcome screen's; it moves here while a result is shown). */
  map(): FloorMap;
  found(announcement: string): void;
  back(): void;
}

const letters = (s: string) => s.replace(/[^\p{L}]+/gu, '').length;
const shownName = (m: FindTableMatch) => (m.first_name ? `${m.first_name} ${m.surname_initial}.` : `${m.surname_initial}.`);

export class FindScreen {
  readonly section: HTMLElement;
  readonly result: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly note = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'find-note' });
  private readonly list = h('div', { class: 'find-matches', role: 'group', 'data-testid': 'find-matches' });
  private readonly foundName = h('h1', { 'data-testid': 'found-name' });
  private readonly foundTable = h('div', { class: 'table-label', 'data-testid': 'found-table' });
  private readonly foundNote = h('p', { 'data-testid': 'found-note' });
  private readonly mapWrap = h('div', { class: 'map-wrap' });
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  constructor(
    private readonly t: Messages,
    setup: KioskSetup,
    private readonly bridge: KioskBridge,
    private readonly host: FindHost,
  ) {
    this.input = h('input', { id: 'find-surname', type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'words', maxlength: '60', 'aria-describedby': 'find-note', 'data-testid': 'find-input' });
    this.note.id = 'find-note';
    this.list.setAttribute('aria-label', t.findChoose);
    const form = h('form', { class: 'find-form' }, h('label', { for: 'find-surname' }, t.findLabel), this.input);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.searchNow();
    });
    this.input.addEventListener('input', () => this.typed());
    const back = h('button', { type: 'button', class: 'secondary', 'data-testid': 'find-back' }, t.findBack);
    back.addEventListener('click', () => host.back());
    this.section = h('section', { class: 'screen find', 'data-screen': 'find', 'aria-labelledby': 'find-title' }, h('h1', { id: 'find-title' }, t.findTitle), form, this.note, this.list, h('div', {}, back));
    const done = h('button', { type: 'button', class: 'secondary', 'data-testid': 'found-done' }, t.findBack);
    done.addEventListener('click', () => host.back());
    this.result = h(
      'section',
      { class: 'screen', 'data-screen': 'found' },
      h('div', { class: 'welcome-grid' }, h('div', { class: 'welcome-text' }, h('div', { class: 'venue' }, setup.venue_name), this.foundName, this.foundTable, this.foundNote, h('div', {}, done)), this.mapWrap),
    );
  }

  /** A fresh search: nothing of the previous guest's typing or matches stays on screen. */
  open(): void {
    this.leave();
    this.input.value = '';
    this.list.replaceChildren();
    this.note.textContent = ''; // the field's label already says what to type
    this.input.focus();
  }

  /** Off the screen (a scan, back to idle): a search still waiting is dropped, a late answer is not shown. */
  leave(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.seq++;
  }

  private typed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (letters(this.input.value) < MIN_LETTERS) {
      this.seq++;
      this.list.replaceChildren();
      this.note.textContent = '';
      return;
    }
    this.timer = setTimeout(() => this.searchNow(), SEARCH_AFTER_MS);
  }

  private searchNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (letters(this.input.value) < MIN_LETTERS) {
      this.note.textContent = this.t.findLabel;
      return;
    }
    void this.search(this.input.value);
  }

  private async search(prefix: string): Promise<void> {
    const seq = ++this.seq;
    const r = await this.bridge.invoke('guest.findTable', { surname_prefix: prefix });
    if (seq !== this.seq) return; // typed on, or left the screen
    if (!r.ok) {
      this.list.replaceChildren();
      this.note.textContent = this.refusal(r.error);
      return;
    }
    const { matches, more } = r.value;
    this.list.replaceChildren(...matches.map((m) => this.matchButton(m)));
    this.note.textContent = matches.length === 0 ? this.t.findNone : more ? this.t.findMore : this.t.findChoose;
  }

  private refusal(e: IpcError): string {
    switch (e.code) {
      case 'bad_request':
        return this.t.findLabel;
      case 'rate_limited':
        return this.t.findWait(e.retry_after_s ?? 10);
      case 'disabled':
        return this.t.findOff;
      default:
        return `${this.t.failed}. ${this.t.seeStaff}`;
    }
  }

  private matchButton(m: FindTableMatch): HTMLElement {
    const b = h('button', { type: 'button', class: 'find-match', 'data-match': m.id, 'data-testid': 'find-match' }, shownName(m));
    b.addEventListener('click', () => this.show(m));
    return b;
  }

  private show(m: FindTableMatch): void {
    const t = this.t;
    const map = this.host.map();
    this.mapWrap.replaceChildren(map.svg); // moves the one drawn map here; the welcome screen takes it back
    const route = map.show(m.table_id);
    const table = m.table_label ? t.table(m.table_label) : t.noTable;
    this.foundName.textContent = shownName(m);
    this.foundTable.textContent = table;
    this.foundNote.textContent = m.table_id && route.status !== 'ok' ? t.noRoute : '';
    this.host.found(`${shownName(m)}. ${table}. ${this.foundNote.textContent}`);
  }
}
