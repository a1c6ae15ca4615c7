// The screens a decision shows the guest: welcome (name, table, party and the route on the floor map), already checked
// in (when and where), refused (why, and to see staff), and "one moment" while a slow decision is on its way.
import type { CheckinScreen, KioskSetup } from '../../ipc/channels';
import { h } from '../dom';
import type { FloorMap } from '../floor-map';
import { clockTime, type Messages } from '../i18n';

export type ResultScreen = 'welcome' | 'already' | 'refused';

export class ResultScreens {
  readonly sections: HTMLElement[];
  private readonly welcomeName = h('h1', { 'data-testid': 'guest-name' });
  private readonly welcomeTable = h('div', { class: 'table-label', 'data-testid': 'table-label' });
  private readonly welcomeParty = h('div', { class: 'party', 'data-testid': 'party-size' });
  private readonly welcomeNote = h('p', { 'data-testid': 'route-note' });
  private readonly alreadyWhen = h('p', { 'data-testid': 'already-when' });
  private readonly alreadyTable = h('div', { class: 'table-label', 'data-testid': 'already-table' });
  private readonly alreadyName = h('h2', { 'data-testid': 'already-name' });
  private readonly refusedTitle = h('h1', { 'data-testid': 'refused-title' });
  private readonly mapWrap: HTMLElement;

  constructor(
    private readonly t: Messages,
    private readonly setup: KioskSetup,
    private map: FloorMap,
  ) {
    const checking = h('section', { class: 'screen center', 'data-screen': 'checking' }, h('h1', {}, t.checking));
    const mapWrap = h('div', { class: 'map-wrap' }, map.svg);
    this.mapWrap = mapWrap;
    const welcome = h(
      'section',
      { class: 'screen ok', 'data-screen': 'welcome' },
      h('div', { class: 'welcome-grid' }, h('div', { class: 'welcome-text' }, h('div', { class: 'venue' }, setup.venue_name), this.welcomeName, this.welcomeTable, this.welcomeParty, this.welcomeNote), mapWrap),
    );
    const already = h('section', { class: 'screen center', 'data-screen': 'already' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, 'ℹ'), h('h1', {}, t.alreadyTitle), this.alreadyName, this.alreadyWhen, this.alreadyTable);
    const refused = h('section', { class: 'screen center bad', 'data-screen': 'refused' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, '✕'), this.refusedTitle, h('p', {}, t.seeStaff));
    this.sections = [checking, welcome, already, refused];
  }

  /** A new floor (the plan or its tables changed): the next guest's route is drawn on it. */
  setMap(map: FloorMap): void {
    this.map = map;
    this.mapWrap.replaceChildren(map.svg);
  }

  /** The map drawn now; the find screen borrows its SVG while it shows a table (screens/find.ts). */
  get floorMap(): FloorMap {
    return this.map;
  }

  /** Fills the screen for a decision; returns which screen to show and what to announce. */
  render(r: CheckinScreen): { screen: ResultScreen; announcement: string } {
    const t = this.t;
    if (r.outcome === 'admitted') {
      const g = r.guest;
      this.welcomeName.textContent = t.welcome(g.name);
      this.welcomeTable.textContent = g.table_label ? t.table(g.table_label) : t.noTable;
      this.welcomeParty.textContent = t.party(g.party_size);
      if (this.map.svg.parentNode !== this.mapWrap) this.mapWrap.replaceChildren(this.map.svg); // back from the find screen
      const route = this.map.show(g.table_id);
      this.welcomeNote.textContent = g.table_id && route.status !== 'ok' ? t.noRoute : '';
      return { screen: 'welcome', announcement: `${t.welcome(g.name)}. ${g.table_label ? t.table(g.table_label) : t.noTable}. ${t.party(g.party_size)}.` };
    }
    if (r.reason === 'already_checked_in') {
      const prev = r.previous;
      const when = prev ? clockTime(prev.checked_in_at, this.setup.language) : '';
      const where = prev ? (prev.door_label ?? prev.door_id) : '';
      this.alreadyName.textContent = r.guest?.name ?? '';
      this.alreadyWhen.textContent = prev ? t.alreadyWhenWhere(when, where) : '';
      this.alreadyTable.textContent = r.guest?.table_label ? t.table(r.guest.table_label) : '';
      return { screen: 'already', announcement: `${t.alreadyTitle}. ${this.alreadyWhen.textContent}` };
    }
    this.refusedTitle.textContent = t.refused[r.reason];
    document.body.dataset.reason = r.reason;
    return { screen: 'refused', announcement: `${t.refused[r.reason]}. ${t.seeStaff}` };
  }

  /** Main could not decide (the call failed): the guest is sent to staff, as for a refusal. */
  renderFailure(): { screen: ResultScreen; announcement: string } {
    this.refusedTitle.textContent = this.t.failed;
    document.body.dataset.reason = 'failed';
    return { screen: 'refused', announcement: `${this.t.failed}. ${this.t.seeStaff}` };
  }
}
