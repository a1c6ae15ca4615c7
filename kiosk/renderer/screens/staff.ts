// Staff mode, open after the PIN: find a guest by name and check them in by hand, the device's status, and (with a venue
// hub) live seating counts, a tablet pairing code and the venue desk: a walk-in (screens/desk.ts), and on a guest found
// a move to another table, the party size and undoing the check-in. Holds the staff session's token; any call main
// answers "staff_locked" (the session timed out) sends staff back to the PIN pad.
import type { GuestMatch, IpcError, KioskBridge, KioskSetup, KioskStatus, SeatingCounts, StaffRole } from '../../ipc/channels';
import { h } from '../dom';
import type { FloorMap } from '../floor-map';
import { clockTime, type Messages } from '../i18n';
import { deskMessage, requestId, WalkInPanel } from './desk';
import { ScanIgnoredNotice } from './scan-ignored';

/** Live seating counts refresh this often while staff mode is open. */
const SEATING_EVERY_MS = 5_000;

export interface StaffHost {
  isOpen(): boolean;
  /** The session ended under us: back to the PIN pad. */
  relock(): void;
  /** Staff asked to leave. */
  exit(): void;
  /** The floor map drawn now, for a walk-in's route. */
  map(): FloorMap;
}

type RowAction = 'manual' | 'undo' | 'move' | 'party-less' | 'party-more';

/** "OK", or which reader is missing and why: the first thing staff check at a silent door. */
function scannerLine(s: KioskStatus, t: Messages): string {
  const down = s.scanner.devices.filter((d) => d.state !== 'ok');
  if (down.length === 0) return s.scanner.state === 'ok' ? t.ok : t.problem;
  return `${s.scanner.state === 'ok' ? t.ok : t.problem} — ${down.map((d) => `${d.device}: ${d.detail ?? d.state}`).join('; ')}`;
}

export class StaffScreen {
  readonly section: HTMLElement;
  private token: string | null = null;
  /** Whether this session may move guests between tables and undo check-ins (StaffSession.supervisor_rights). */
  private supervisorRights = false;
  /** The guests listed now, patched with the hub's answers until the door's own list has them (the next sync). */
  private shown: GuestMatch[] = [];
  private readonly walkIn: WalkInPanel;
  private searchSeq = 0;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private seatingTimer: ReturnType<typeof setInterval> | null = null;
  /** Table labels as people read them: table 2 before table 10. */
  private readonly byLabel: Intl.Collator;
  private readonly search: HTMLInputElement;
  private readonly results = h('ul', { class: 'results', 'data-testid': 'search-results', 'aria-live': 'polite' });
  private readonly toast = h('div', { class: 'toast', role: 'status', 'data-testid': 'staff-toast' });
  private readonly statusList = h('dl', { 'data-testid': 'device-status' });
  private readonly seating: HTMLElement;
  private readonly seatingTotals = h('ul', { class: 'seating-totals', 'data-testid': 'seating-totals' });
  private readonly seatingRows = h('tbody', {});
  private readonly seatingNote = h('p', { class: 'staff-note', role: 'status', 'data-testid': 'seating-note' });
  private readonly pairCode = h('p', { class: 'pair-code', 'aria-live': 'polite', 'data-testid': 'pair-code' });
  private readonly pairRole: HTMLSelectElement;
  /** Whose PIN opened this session: shown, so a steward knows why a supervisor's action is refused. */
  private readonly roleLine = h('p', { class: 'staff-note', 'data-testid': 'staff-role' });
  private readonly notice = new ScanIgnoredNotice('staff-scan-ignored');

  constructor(
    private readonly t: Messages,
    private readonly setup: KioskSetup,
    private readonly bridge: KioskBridge,
    private readonly host: StaffHost,
  ) {
    this.byLabel = new Intl.Collator(setup.language, { numeric: true, sensitivity: 'base' });
    this.search = h('input', { type: 'search', autocomplete: 'off', 'aria-label': t.searchLabel, placeholder: t.searchLabel, 'data-testid': 'staff-search' });
    this.search.addEventListener('input', () => this.scheduleSearch());
    this.walkIn = new WalkInPanel(t, bridge, { token: () => this.token, relock: () => this.relock(), map: () => host.map(), closed: () => this.search.focus() });
    const walkInButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'walk-in', 'aria-controls': 'walkin-panel' }, t.walkIn);
    walkInButton.addEventListener('click', () => this.walkIn.open());
    this.walkIn.el.id = 'walkin-panel';
    this.pairRole = h(
      'select',
      { 'aria-label': t.pairRole, 'data-testid': 'pair-role' },
      ...(['steward', 'supervisor'] as const).map((role) => h('option', { value: role }, t.role[role])),
    );
    this.seating = h(
      'div',
      { class: 'status-panel seating-panel', 'data-testid': 'seating' },
      h('h2', {}, t.seating),
      this.seatingNote,
      this.seatingTotals,
      h(
        'div',
        { class: 'seating-scroll' },
        h('table', { 'data-testid': 'seating-tables' }, h('thead', {}, h('tr', {}, ...t.seatingColumns.map((c) => h('th', { scope: 'col' }, c)))), this.seatingRows),
      ),
      h('div', { class: 'row' }, h('label', {}, t.pairRole, ' ', this.pairRole), h('button', { type: 'button', class: 'secondary', 'data-action': 'pair-tablet', 'data-testid': 'pair-tablet' }, t.pairTablet)),
      this.pairCode,
    );
    this.section = h(
      'section',
      { class: 'screen', 'data-screen': 'staff' },
      h('div', { class: 'row' }, h('h1', {}, t.staff), this.roleLine, walkInButton, h('button', { type: 'button', class: 'secondary', 'data-action': 'exit-staff' }, t.exitStaff)),
      this.notice.el,
      h(
        'div',
        { class: 'staff-layout' },
        h('div', { class: 'staff-search' }, this.walkIn.el, this.search, this.toast, this.results),
        h('div', { class: 'staff-side' }, h('div', { class: 'status-panel' }, h('h2', {}, t.deviceStatus), this.statusList), this.seating),
      ),
    );
    this.section.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const action = target.closest('[data-action]')?.getAttribute('data-action');
      if (action === 'exit-staff') this.host.exit();
      else if (action === 'pair-tablet') void this.pairTablet();
      else if (action === 'manual' || action === 'undo' || action === 'move' || action === 'party-less' || action === 'party-more') {
        const id = target.closest('[data-guest]')?.getAttribute('data-guest');
        if (id) this.rowAction(action, id);
      }
    });
  }

  /** A new session, nothing left from the last one on screen. Call once the screen is shown (focus needs it). */
  open(staffToken: string, role: StaffRole, supervisorRights: boolean): void {
    this.token = staffToken;
    this.supervisorRights = supervisorRights;
    this.shown = [];
    this.walkIn.el.hidden = true;
    this.roleLine.textContent = this.t.roleLine(this.t.role[role]);
    this.roleLine.dataset.role = role;
    this.pairRole.value = 'steward';
    this.search.value = '';
    this.results.replaceChildren();
    this.toast.textContent = '';
    this.pairCode.textContent = '';
    this.notice.clear();
    this.search.focus();
    void this.refreshSeating();
    this.seatingTimer = setInterval(() => void this.refreshSeating(), SEATING_EVERY_MS);
  }

  /** Ends the session on this screen; returns its token for main to lock (null when there was none). */
  close(): string | null {
    const token = this.token;
    this.token = null;
    this.stopSeating();
    return token;
  }

  /**
   * A scan came while staff mode was open: it was not decided, and the screen says so. `typed`: the code a
   * keyboard-wedge scanner typed into the search field, taken out again so staff's search is what they typed.
   */
  scanIgnored(typed: string | null): void {
    if (typed !== null && this.search.value.endsWith(typed)) {
      this.search.value = this.search.value.slice(0, -typed.length);
      this.scheduleSearch();
    }
    this.notice.show(this.t.scanIgnoredStaff);
  }

  renderStatus(s: KioskStatus): void {
    const t = this.t;
    const rows: [string, string, string][] = [
      ['hub', t.hub, s.hub.online ? t.online : t.offline],
      ['outbox', t.outbox, String(s.outbox_depth)],
      ['last-sync', t.lastSync, s.hub.last_sync_at ? clockTime(s.hub.last_sync_at, this.setup.language) : t.never],
      ['scanner', t.scanner, scannerLine(s, t)],
      ['database', t.database, s.database.ok ? t.ok : `${t.problem}: ${s.database.detail ?? ''}`],
    ];
    this.statusList.replaceChildren(...rows.flatMap(([key, label, value]) => [h('dt', {}, label), h('dd', { 'data-status': key }, value)]));
  }

  private stopSeating(): void {
    if (this.seatingTimer) clearInterval(this.seatingTimer);
    this.seatingTimer = null;
  }

  /** A staff call answered "locked" (the session timed out): back to the PIN. */
  private relock(): void {
    this.close();
    this.host.relock();
  }

  /** Staff-readable reason when the hub cannot answer; the main process's message otherwise. */
  private hubMessage(error: IpcError): string {
    return error.code === 'no_hub' ? this.t.noHub : error.code === 'hub_unreachable' ? this.t.hubUnreachable : error.message;
  }

  private async refreshSeating(): Promise<void> {
    if (!this.token || !this.host.isOpen()) return this.stopSeating();
    const r = await this.bridge.invoke('staff.seating', { staff_token: this.token });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.seatingNote.textContent = this.hubMessage(r.error);
      // A kiosk that runs alone has no counts to show and no tablets to pair: only the note stays.
      // Nor the desk: walk-ins, moves and undo are the hub's to decide.
      if (r.error.code === 'no_hub') this.seating.dataset.hub = this.section.dataset.hub = 'none';
      return;
    }
    delete this.seating.dataset.hub;
    delete this.section.dataset.hub;
    this.seatingNote.textContent = '';
    this.renderSeating(r.value);
  }

  private renderSeating(view: SeatingCounts): void {
    const t = this.t;
    this.seatingTotals.replaceChildren(...view.occasions.map((o) => h('li', { 'data-occasion': o.occasion_id }, t.occasionLine(o.name, o.checked_in, o.expected, o.seated))));
    this.seatingRows.replaceChildren(
      ...[...view.tables].sort((a, b) => this.byLabel.compare(a.label, b.label)).map((row) =>
        h('tr', { 'data-table': row.table_id }, h('th', { scope: 'row' }, row.label), h('td', {}, String(row.expected)), h('td', {}, String(row.checked_in)), h('td', {}, String(row.seated))),
      ),
    );
  }

  private async pairTablet(): Promise<void> {
    if (!this.token) return this.relock();
    const role = this.pairRole.value === 'supervisor' ? 'supervisor' : 'steward';
    const r = await this.bridge.invoke('staff.pairTablet', { staff_token: this.token, role });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.pairCode.textContent = r.error.code === 'supervisor_required' ? this.t.supervisorRequired : this.hubMessage(r.error);
      delete this.pairCode.dataset.code;
      return;
    }
    this.pairCode.textContent = this.t.pairCode(r.value.code, clockTime(r.value.expires_at, this.setup.language));
    this.pairCode.dataset.code = r.value.code;
  }

  private scheduleSearch(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.runSearch(), 120);
  }

  private async runSearch(): Promise<void> {
    const query = this.search.value.trim();
    const seq = ++this.searchSeq;
    if (!query || !this.token) {
      this.results.replaceChildren();
      return;
    }
    const r = await this.bridge.invoke('guests.search', { staff_token: this.token, query: query.slice(0, 100) });
    if (seq !== this.searchSeq) return;
    if (!r.ok) {
      if (r.error.code === 'staff_locked') this.relock();
      return;
    }
    this.renderResults(r.value);
  }

  private renderResults(guests: GuestMatch[]): void {
    const t = this.t;
    this.shown = guests;
    if (guests.length === 0) {
      this.results.replaceChildren(h('li', {}, t.searchEmpty));
      return;
    }
    this.results.replaceChildren(...guests.map((g, i) => this.guestRow(g, i)));
  }

  private guestRow(g: GuestMatch, index: number): HTMLElement {
    const t = this.t;
    const meta = [t.party(g.party_size), g.table_label ? t.table(g.table_label) : t.noTable].join(' · ');
    const checkin =
      g.status === 'revoked'
        ? h('span', { class: 'void' }, t.revoked)
        : g.checked_in_at
          ? h('span', { class: 'done' }, t.checkedInAt(clockTime(g.checked_in_at, this.setup.language)))
          : h('button', { type: 'button', 'data-action': 'manual' }, t.checkIn);
    const li = h('li', { 'data-guest': g.id }, h('div', { class: 'who' }, h('strong', {}, g.name), h('span', { class: 'meta' }, meta)), checkin);
    if (g.status === 'revoked') return li;
    // What needs a supervisor stays on screen for a steward, disabled, with the reason beside it.
    const why = this.supervisorRights ? null : h('span', { class: 'staff-note why', id: `why-${index}` }, t.supervisorOnly);
    const guarded = (label: string, action: RowAction) => {
      const b = h('button', { type: 'button', class: 'secondary', 'data-action': action }, label);
      if (why) {
        b.disabled = true;
        b.setAttribute('aria-describedby', why.id);
      }
      return b;
    };
    const less = h('button', { type: 'button', class: 'secondary step', 'data-action': 'party-less', 'aria-label': t.partyLess(g.name) }, '−');
    less.disabled = g.party_size <= 1;
    const more = h('button', { type: 'button', class: 'secondary step', 'data-action': 'party-more', 'aria-label': t.partyMore(g.name) }, '+');
    const party = h('div', { class: 'party-step', role: 'group', 'aria-label': `${t.partySize}: ${g.name}` }, less, h('span', { 'data-testid': 'party-value', 'aria-live': 'polite' }, String(g.party_size)), more);
    const actions = h('div', { class: 'desk-actions' }, ...(g.checked_in_at ? [guarded(t.undoCheckin, 'undo')] : []), guarded(t.moveTo, 'move'), party, ...(why ? [why] : []));
    li.append(actions, h('div', { class: 'desk-form', hidden: '' }));
    return li;
  }

  private rowAction(action: RowAction, guestId: string): void {
    const g = this.shown.find((x) => x.id === guestId);
    if (!g) return;
    switch (action) {
      case 'manual':
        void this.manualCheckin(guestId);
        return;
      case 'party-less':
      case 'party-more':
        void this.changeParty(g, action === 'party-more' ? 1 : -1);
        return;
      case 'move':
        this.openRowForm(g, 'move');
        return;
      case 'undo':
        this.openRowForm(g, 'undo');
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  }

  private rowOf(guestId: string): HTMLElement | null {
    return [...this.results.children].find((li) => li.getAttribute('data-guest') === guestId) as HTMLElement | null;
  }

  /** The inline form of a row: a table to move to, or the reason for an undo. Escape or Cancel closes it. */
  private openRowForm(g: GuestMatch, kind: 'move' | 'undo'): void {
    const t = this.t;
    const slot = this.rowOf(g.id)?.querySelector<HTMLElement>('.desk-form');
    if (!slot) return;
    const id = `desk-${kind}-${g.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const cancel = h('button', { type: 'button', class: 'secondary' }, t.cancel);
    const close = () => {
      slot.hidden = true;
      slot.replaceChildren();
      this.rowOf(g.id)?.querySelector<HTMLElement>(`[data-action="${kind}"]`)?.focus();
    };
    cancel.addEventListener('click', close);
    let field: HTMLInputElement | HTMLSelectElement;
    if (kind === 'move') {
      const tables = [...this.setup.floor.tables].filter((x) => x.id !== g.table_id).sort((a, b) => this.byLabel.compare(a.label, b.label));
      field = h('select', { id, 'data-testid': 'move-table' }, ...tables.map((x) => h('option', { value: x.id }, t.table(x.label))));
    } else {
      field = h('input', { id, type: 'text', maxlength: '500', autocomplete: 'off', required: '', 'data-testid': 'undo-reason' });
    }
    const submit = h('button', { type: 'submit', 'data-testid': kind === 'move' ? 'move-confirm' : 'undo-confirm' }, kind === 'move' ? t.moveConfirm : t.undoConfirm);
    const form = h('form', { class: 'row', novalidate: '' }, h('label', { for: id }, kind === 'move' ? t.moveTable : t.undoReason), field, submit, cancel);
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (kind === 'move') void this.moveGuest(g, field.value);
      else if (!field.value.trim()) this.toast.textContent = t.undoReasonMissing;
      else void this.revert(g, field.value.trim());
    });
    slot.replaceChildren(form);
    slot.hidden = false;
    field.focus();
  }

  /** A desk call failed: back to the PIN if the session ended, else the reason in the staff's language. */
  private deskFailed(error: IpcError): void {
    if (error.code === 'staff_locked') return this.relock();
    this.toast.textContent = deskMessage(this.t, error);
  }

  /** The hub's answer shown at once in the list; the door's own list has it by the next sync. */
  private patch(guestId: string, change: Partial<GuestMatch>, focusAction: RowAction | null): void {
    this.renderResults(this.shown.map((x) => (x.id === guestId ? { ...x, ...change } : x)));
    const target = focusAction ? this.rowOf(guestId)?.querySelector<HTMLButtonElement>(`[data-action="${focusAction}"]`) : null;
    if (target && !target.disabled) target.focus();
    else this.search.focus();
  }

  private async changeParty(g: GuestMatch, delta: 1 | -1): Promise<void> {
    if (!this.token) return this.relock();
    const size = g.party_size + delta;
    if (size < 1) return;
    const r = await this.bridge.invoke('desk.move', { staff_token: this.token, request_id: requestId(), guest_id: g.id, party_size: size });
    if (!r.ok) return this.deskFailed(r.error);
    const n = r.value.guest.party_size;
    this.toast.textContent = this.t.partyChanged(g.name, this.t.party(n));
    this.patch(g.id, { party_size: n }, delta > 0 ? 'party-more' : n > 1 ? 'party-less' : 'party-more');
  }

  private async moveGuest(g: GuestMatch, tableId: string): Promise<void> {
    if (!this.token) return this.relock();
    if (!tableId) return;
    const r = await this.bridge.invoke('desk.move', { staff_token: this.token, request_id: requestId(), guest_id: g.id, to_table_id: tableId });
    if (!r.ok) return this.deskFailed(r.error);
    const moved = r.value.guest;
    this.toast.textContent = this.t.moved(g.name, moved.table_label ? this.t.table(moved.table_label) : this.t.noTable);
    this.patch(g.id, { table_id: moved.table_id, table_label: moved.table_label, party_size: moved.party_size }, 'move');
  }

  private async revert(g: GuestMatch, reason: string): Promise<void> {
    if (!this.token) return this.relock();
    const r = await this.bridge.invoke('desk.revert', { staff_token: this.token, request_id: requestId(), guest_id: g.id, reason: reason.slice(0, 500) });
    if (!r.ok) return this.deskFailed(r.error);
    this.toast.textContent = this.t.undone(g.name);
    this.patch(g.id, { checked_in_at: null }, 'manual');
  }

  private async manualCheckin(guestId: string): Promise<void> {
    if (!this.token) return this.relock();
    const r = await this.bridge.invoke('checkin.manual', { staff_token: this.token, guest_id: guestId });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.toast.textContent = r.error.message;
      return;
    }
    const res = r.value;
    if (res.outcome === 'admitted') {
      this.toast.textContent = this.t.manualDone(res.guest.name, res.guest.table_label ? this.t.table(res.guest.table_label) : this.t.noTable);
    } else {
      this.toast.textContent = res.reason === 'already_checked_in' ? this.t.alreadyTitle : this.t.refused[res.reason];
    }
    await this.runSearch();
  }
}
