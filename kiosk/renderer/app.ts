// The kiosk's screens as one small state machine over the channel map: idle → checking → welcome / already / refused → idle,
// out of order when main says so, and staff mode behind a PIN. Plain DOM; every text goes through textContent.
import type { CheckinResult, GuestMatch, IpcError, KioskBridge, KioskSetup, KioskStatus, SeatingCounts } from '../ipc/channels';
import { FloorMap } from './floor-map';
import { clockTime, MESSAGES, type Messages } from './i18n';

export type Screen = 'loading' | 'idle' | 'checking' | 'welcome' | 'already' | 'refused' | 'out_of_order' | 'pin' | 'staff';

/** Tells a keyboard-emulating scanner's burst from typing (core/decoders/keystroke-burst.ts). */
export interface ScanDetector {
  key(key: string, atMs: number): string | null;
  reset(): void;
}

type Attrs = Record<string, string>;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

/** "OK", or which reader is missing and why: the first thing staff check at a silent door. */
function scannerLine(s: KioskStatus, t: Messages): string {
  const down = s.scanner.devices.filter((d) => d.state !== 'ok');
  if (down.length === 0) return s.scanner.state === 'ok' ? t.ok : t.problem;
  return `${s.scanner.state === 'ok' ? t.ok : t.problem} — ${down.map((d) => `${d.device}: ${d.detail ?? d.state}`).join('; ')}`;
}

/** Marks used by the benchmark: the Enter (or pushed scan) and the result screen's first paint. */
export const SCAN_MARK = 'scan-enter';
export const SCAN_MEASURE = 'scan-to-screen';
/** Enter → the decision back from main: the part of SCAN_MEASURE spent outside the page. */
export const SCAN_DECIDED_MEASURE = 'scan-to-decision';
/** The page's own work on a result: route search and DOM writes (the rest is the frame and the paint). */
export const SCAN_DOM_MEASURE = 'scan-result-dom';
const CHECKING_AFTER_MS = 150;
/** Staff walk away: the PIN pad and staff mode (guest names on screen) close by themselves after this long untouched. */
const PIN_IDLE_MS = 30_000;
const STAFF_IDLE_MS = 120_000;
/** Live seating counts refresh this often while staff mode is open. */
const SEATING_EVERY_MS = 5_000;

export class KioskApp {
  private screen: Screen = 'loading';
  private setup!: KioskSetup;
  private t!: Messages;
  private map: FloorMap | null = null;
  private status: KioskStatus | null = null;
  private scanSeq = 0;
  private backToIdle: ReturnType<typeof setTimeout> | null = null;
  private staffToken: string | null = null;
  private searchSeq = 0;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly ui: Record<string, HTMLElement> = {};
  private seatingTimer: ReturnType<typeof setInterval> | null = null;
  /** Table labels as people read them: table 2 before table 10. */
  private byLabel!: Intl.Collator;

  private detector!: ScanDetector;

  constructor(
    private readonly bridge: KioskBridge,
    private readonly makeDetector: (maxGapMs: number) => ScanDetector,
  ) {}

  async start(root: HTMLElement): Promise<void> {
    const setup = await this.bridge.invoke('kiosk.setup', {});
    if (!setup.ok) throw new Error(setup.error.message);
    this.setup = setup.value;
    this.t = MESSAGES[this.setup.language];
    this.byLabel = new Intl.Collator(this.setup.language, { numeric: true, sensitivity: 'base' });
    this.detector = this.makeDetector(this.setup.scanner_max_gap_ms);
    document.documentElement.lang = this.setup.language;
    this.map = new FloorMap(this.setup.floor.plan, this.setup.floor.tables, this.setup.door_id, this.t.youAreHere);
    this.build(root);
    document.addEventListener('keydown', (e) => this.onKey(e));
    for (const type of ['pointerdown', 'keydown', 'input']) document.addEventListener(type, () => this.screen === 'pin' || this.screen === 'staff' ? this.touchStaff() : undefined, { capture: true });
    this.bridge.on('scan', (scan) => {
      if (this.screen === 'pin' || this.screen === 'staff') return;
      performance.mark(SCAN_MARK);
      void this.checkIn(scan.kind, scan.value);
    });
    this.bridge.on('status', (s) => this.applyStatus(s));
    const status = await this.bridge.invoke('kiosk.status', {});
    if (status.ok) this.applyStatus(status.value);
    if (this.screen === 'loading') this.show('idle');
  }

  // ------------------------------------------------------------------ building the screens

  private build(root: HTMLElement): void {
    const t = this.t;
    const venue = () => h('div', { class: 'venue' }, this.setup.venue_name);
    const live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'assertive', 'data-testid': 'announce' });
    this.ui.live = live;

    const idle = h('section', { class: 'screen center', 'data-screen': 'idle' }, venue(), h('h1', {}, t.idleTitle), h('p', { class: 'hint' }, t.idleHint), h('div', { class: 'scan-frame', 'aria-hidden': 'true' }));
    const checking = h('section', { class: 'screen center', 'data-screen': 'checking' }, h('h1', {}, t.checking));

    this.ui.welcomeName = h('h1', { 'data-testid': 'guest-name' });
    this.ui.welcomeTable = h('div', { class: 'table-label', 'data-testid': 'table-label' });
    this.ui.welcomeParty = h('div', { class: 'party', 'data-testid': 'party-size' });
    this.ui.welcomeNote = h('p', { 'data-testid': 'route-note' });
    const mapWrap = h('div', { class: 'map-wrap' });
    if (this.map) mapWrap.append(this.map.svg);
    const welcome = h(
      'section',
      { class: 'screen ok', 'data-screen': 'welcome' },
      h('div', { class: 'welcome-grid' }, h('div', { class: 'welcome-text' }, venue(), this.ui.welcomeName, this.ui.welcomeTable, this.ui.welcomeParty, this.ui.welcomeNote), mapWrap),
    );

    this.ui.alreadyWhen = h('p', { 'data-testid': 'already-when' });
    this.ui.alreadyTable = h('div', { class: 'table-label', 'data-testid': 'already-table' });
    this.ui.alreadyName = h('h2', { 'data-testid': 'already-name' });
    const already = h('section', { class: 'screen center', 'data-screen': 'already' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, 'ℹ'), h('h1', {}, t.alreadyTitle), this.ui.alreadyName, this.ui.alreadyWhen, this.ui.alreadyTable);

    this.ui.refusedTitle = h('h1', { 'data-testid': 'refused-title' });
    const refused = h('section', { class: 'screen center bad', 'data-screen': 'refused' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, '✕'), this.ui.refusedTitle, h('p', {}, t.seeStaff));

    this.ui.outReason = h('p', { class: 'staff-detail', 'data-testid': 'out-of-order-reason' });
    const outOfOrder = h('section', { class: 'screen center bad', 'data-screen': 'out_of_order' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, '⚠'), h('h1', {}, t.outOfOrderTitle), h('p', {}, t.outOfOrderHint), this.ui.outReason);

    const pinInput = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'off', 'aria-label': t.pinPrompt, 'data-testid': 'pin-input', maxlength: '12' });
    this.ui.pinInput = pinInput;
    this.ui.pinError = h('div', { class: 'error', role: 'alert', 'data-testid': 'pin-error' });
    const pinForm = h(
      'form',
      { class: 'pin-form' },
      h('h1', {}, t.pinPrompt),
      pinInput,
      this.ui.pinError,
      h('div', { class: 'row' }, h('button', { type: 'submit', 'data-testid': 'pin-submit' }, t.unlock), h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-pin' }, t.cancel)),
    );
    pinForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.unlock(pinInput.value);
    });
    const pin = h('section', { class: 'screen center', 'data-screen': 'pin' }, pinForm);

    const search = h('input', { type: 'search', autocomplete: 'off', 'aria-label': t.searchLabel, placeholder: t.searchLabel, 'data-testid': 'staff-search' });
    this.ui.search = search;
    search.addEventListener('input', () => this.scheduleSearch());
    this.ui.results = h('ul', { class: 'results', 'data-testid': 'search-results', 'aria-live': 'polite' });
    this.ui.toast = h('div', { class: 'toast', role: 'status', 'data-testid': 'staff-toast' });
    this.ui.statusList = h('dl', { 'data-testid': 'device-status' });
    this.ui.seatingTotals = h('ul', { class: 'seating-totals', 'data-testid': 'seating-totals' });
    this.ui.seatingRows = h('tbody', {});
    this.ui.seatingNote = h('p', { class: 'staff-note', role: 'status', 'data-testid': 'seating-note' });
    this.ui.pairCode = h('p', { class: 'pair-code', 'aria-live': 'polite', 'data-testid': 'pair-code' });
    const seating = (this.ui.seating = h(
      'div',
      { class: 'status-panel seating-panel', 'data-testid': 'seating' },
      h('h2', {}, t.seating),
      this.ui.seatingNote,
      this.ui.seatingTotals,
      h(
        'div',
        { class: 'seating-scroll' },
        h('table', { 'data-testid': 'seating-tables' }, h('thead', {}, h('tr', {}, ...t.seatingColumns.map((c) => h('th', { scope: 'col' }, c)))), this.ui.seatingRows),
      ),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'pair-tablet', 'data-testid': 'pair-tablet' }, t.pairTablet),
      this.ui.pairCode,
    ));
    const staff = h(
      'section',
      { class: 'screen', 'data-screen': 'staff' },
      h('div', { class: 'row' }, h('h1', {}, t.staff), h('button', { type: 'button', class: 'secondary', 'data-action': 'exit-staff' }, t.exitStaff)),
      h(
        'div',
        { class: 'staff-layout' },
        h('div', { class: 'staff-search' }, search, this.ui.toast, this.ui.results),
        h('div', { class: 'staff-side' }, h('div', { class: 'status-panel' }, h('h2', {}, t.deviceStatus), this.ui.statusList), seating),
      ),
    );

    const staffButton = h('button', { type: 'button', class: 'staff-button', 'data-action': 'open-pin', 'data-testid': 'staff-button' }, t.staff);
    root.replaceChildren(
      live,
      h('section', { class: 'screen center', 'data-screen': 'loading' }, h('h1', {}, '…')),
      idle,
      checking,
      welcome,
      already,
      refused,
      outOfOrder,
      pin,
      staff,
      staffButton,
    );
    root.addEventListener('click', (e) => {
      const action = (e.target as HTMLElement).closest('[data-action]')?.getAttribute('data-action');
      if (action === 'open-pin') this.openPin();
      else if (action === 'cancel-pin') this.idleOrOutOfOrder();
      else if (action === 'exit-staff') void this.exitStaff();
      else if (action === 'pair-tablet') void this.pairTablet();
      else if (action === 'manual') {
        const id = (e.target as HTMLElement).closest('[data-guest]')?.getAttribute('data-guest');
        if (id) void this.manualCheckin(id);
      }
    });
  }

  // ------------------------------------------------------------------ screens

  private show(screen: Screen, announcement?: string): void {
    this.screen = screen;
    document.body.dataset.screen = screen;
    if (this.backToIdle) clearTimeout(this.backToIdle);
    this.backToIdle = null;
    if (screen === 'welcome' || screen === 'already' || screen === 'refused') {
      this.backToIdle = setTimeout(() => this.idleOrOutOfOrder(), this.setup.result_ms);
    }
    this.touchStaff();
    if (announcement !== undefined) this.ui.live!.textContent = announcement;
  }

  private idleOrOutOfOrder(): void {
    this.detector.reset();
    const out = this.status?.out_of_order;
    if (out) {
      this.ui.outReason!.textContent = `${this.t.outOfOrderReason[out.reason]}: ${out.detail}`;
      this.show('out_of_order', this.t.outOfOrderTitle);
    } else {
      this.show('idle', this.t.idleHint);
    }
  }

  private applyStatus(status: KioskStatus): void {
    this.status = status;
    this.renderStatus();
    if (this.screen === 'loading' || this.screen === 'idle' || this.screen === 'out_of_order') this.idleOrOutOfOrder();
  }

  // ------------------------------------------------------------------ scanning

  private onKey(e: KeyboardEvent): void {
    if (!this.setup.keyboard_scanner || this.screen === 'pin' || this.screen === 'staff' || this.screen === 'loading') return;
    if (e.key === 'Enter') performance.mark(SCAN_MARK);
    const code = this.detector.key(e.key, e.timeStamp);
    if (code !== null) {
      e.preventDefault();
      void this.checkIn('barcode', code);
    }
  }

  async checkIn(kind: 'barcode' | 'nfc', value: string): Promise<void> {
    const seq = ++this.scanSeq;
    // "One moment" only when the answer is slow: a decision in a few ms would otherwise flash it for one frame.
    const checking = setTimeout(() => seq === this.scanSeq && this.show('checking', this.t.checking), CHECKING_AFTER_MS);
    const r = await this.bridge.invoke('checkin.scan', { kind, value });
    clearTimeout(checking);
    if (seq !== this.scanSeq) return; // a newer scan owns the screen
    const decidedAt = performance.now();
    try {
      performance.measure(SCAN_DECIDED_MEASURE, { start: SCAN_MARK });
    } catch {
      // No Enter mark (a pushed scan before any key): nothing to measure.
    }
    if (r.ok) this.showResult(r.value);
    else this.showFailure(r.error);
    performance.measure(SCAN_DOM_MEASURE, { start: decidedAt });
    const outcome = r.ok ? (r.value.outcome === 'admitted' ? 'admitted' : r.value.reason) : r.error.code;
    // Measured after the frame that shows the result: rAF runs just before paint, the task after it runs once painted.
    requestAnimationFrame(() =>
      setTimeout(() => {
        try {
          performance.measure(SCAN_MEASURE, { start: SCAN_MARK, detail: { outcome } });
        } catch {
          // No mark (a scan pushed before any Enter): nothing to measure.
        }
      }, 0),
    );
  }

  private showResult(r: CheckinResult): void {
    const t = this.t;
    if (r.outcome === 'admitted') {
      const g = r.guest;
      this.ui.welcomeName!.textContent = t.welcome(g.name);
      this.ui.welcomeTable!.textContent = g.table_label ? t.table(g.table_label) : t.noTable;
      this.ui.welcomeParty!.textContent = t.party(g.party_size);
      const route = this.map?.show(g.table_id);
      this.ui.welcomeNote!.textContent = g.table_id && route?.status !== 'ok' ? t.noRoute : '';
      this.show('welcome', `${t.welcome(g.name)}. ${g.table_label ? t.table(g.table_label) : t.noTable}. ${t.party(g.party_size)}.`);
      return;
    }
    if (r.reason === 'already_checked_in') {
      const prev = r.previous;
      const when = prev ? clockTime(prev.checked_in_at, this.setup.language) : '';
      const where = prev ? (prev.door_label ?? prev.door_id) : '';
      this.ui.alreadyName!.textContent = r.guest?.name ?? '';
      this.ui.alreadyWhen!.textContent = prev ? t.alreadyWhenWhere(when, where) : '';
      this.ui.alreadyTable!.textContent = r.guest?.table_label ? t.table(r.guest.table_label) : '';
      this.show('already', `${t.alreadyTitle}. ${this.ui.alreadyWhen!.textContent}`);
      return;
    }
    this.ui.refusedTitle!.textContent = t.refused[r.reason];
    document.body.dataset.reason = r.reason;
    this.show('refused', `${t.refused[r.reason]}. ${t.seeStaff}`);
  }

  private showFailure(_error: IpcError): void {
    this.ui.refusedTitle!.textContent = this.t.failed;
    document.body.dataset.reason = 'failed';
    this.show('refused', `${this.t.failed}. ${this.t.seeStaff}`);
  }

  // ------------------------------------------------------------------ staff mode

  private staffIdle: ReturnType<typeof setTimeout> | null = null;

  /** Any touch or key in the PIN pad or staff mode restarts its idle clock; other screens have none. */
  private touchStaff(): void {
    if (this.staffIdle) clearTimeout(this.staffIdle);
    this.staffIdle = null;
    if (this.screen === 'pin') this.staffIdle = setTimeout(() => this.idleOrOutOfOrder(), PIN_IDLE_MS);
    else if (this.screen === 'staff') this.staffIdle = setTimeout(() => void this.exitStaff(), STAFF_IDLE_MS);
  }

  private openPin(): void {
    (this.ui.pinInput as HTMLInputElement).value = '';
    this.ui.pinError!.textContent = '';
    this.show('pin', this.t.pinPrompt);
    this.ui.pinInput!.focus();
  }

  private async unlock(pin: string): Promise<void> {
    if (!pin) return;
    const r = await this.bridge.invoke('staff.unlock', { pin });
    (this.ui.pinInput as HTMLInputElement).value = '';
    if (!r.ok) {
      this.ui.pinError!.textContent = r.error.code === 'too_many_attempts' ? this.t.pinLocked : this.t.pinWrong;
      return;
    }
    this.staffToken = r.value.staff_token;
    (this.ui.search as HTMLInputElement).value = '';
    this.ui.results!.replaceChildren();
    this.ui.toast!.textContent = '';
    this.ui.pairCode!.textContent = '';
    this.show('staff', this.t.staff);
    this.ui.search!.focus();
    void this.refreshSeating();
    this.seatingTimer = setInterval(() => void this.refreshSeating(), SEATING_EVERY_MS);
    const status = await this.bridge.invoke('kiosk.status', {});
    if (status.ok) this.applyStatus(status.value);
  }

  private async exitStaff(): Promise<void> {
    const token = this.staffToken;
    this.staffToken = null;
    this.stopSeating();
    if (token) await this.bridge.invoke('staff.lock', { staff_token: token });
    this.idleOrOutOfOrder();
  }

  private stopSeating(): void {
    if (this.seatingTimer) clearInterval(this.seatingTimer);
    this.seatingTimer = null;
  }

  /** Staff-readable reason when the hub cannot answer; the main process's message otherwise. */
  private hubMessage(error: IpcError): string {
    return error.code === 'no_hub' ? this.t.noHub : error.code === 'hub_unreachable' ? this.t.hubUnreachable : error.message;
  }

  private async refreshSeating(): Promise<void> {
    if (!this.staffToken || this.screen !== 'staff') return this.stopSeating();
    const r = await this.bridge.invoke('staff.seating', { staff_token: this.staffToken });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.ui.seatingNote!.textContent = this.hubMessage(r.error);
      // A kiosk that runs alone has no counts to show and no tablets to pair: only the note stays.
      if (r.error.code === 'no_hub') this.ui.seating!.dataset.hub = 'none';
      return;
    }
    delete this.ui.seating!.dataset.hub;
    this.ui.seatingNote!.textContent = '';
    this.renderSeating(r.value);
  }

  private renderSeating(view: SeatingCounts): void {
    const t = this.t;
    this.ui.seatingTotals!.replaceChildren(...view.occasions.map((o) => h('li', { 'data-occasion': o.occasion_id }, t.occasionLine(o.name, o.checked_in, o.expected, o.seated))));
    this.ui.seatingRows!.replaceChildren(
      ...[...view.tables].sort((a, b) => this.byLabel.compare(a.label, b.label)).map((row) =>
        h('tr', { 'data-table': row.table_id }, h('th', { scope: 'row' }, row.label), h('td', {}, String(row.expected)), h('td', {}, String(row.checked_in)), h('td', {}, String(row.seated))),
      ),
    );
  }

  private async pairTablet(): Promise<void> {
    if (!this.staffToken) return this.relock();
    const r = await this.bridge.invoke('staff.pairTablet', { staff_token: this.staffToken });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.ui.pairCode!.textContent = this.hubMessage(r.error);
      delete this.ui.pairCode!.dataset.code;
      return;
    }
    this.ui.pairCode!.textContent = this.t.pairCode(r.value.code, clockTime(r.value.expires_at, this.setup.language));
    this.ui.pairCode!.dataset.code = r.value.code;
  }

  /** A staff call answered "locked" (the session timed out): back to the PIN. */
  private relock(): void {
    this.staffToken = null;
    this.stopSeating();
    this.openPin();
  }

  private scheduleSearch(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.search(), 120);
  }

  private async search(): Promise<void> {
    const query = (this.ui.search as HTMLInputElement).value.trim();
    const seq = ++this.searchSeq;
    if (!query || !this.staffToken) {
      this.ui.results!.replaceChildren();
      return;
    }
    const r = await this.bridge.invoke('guests.search', { staff_token: this.staffToken, query: query.slice(0, 100) });
    if (seq !== this.searchSeq) return;
    if (!r.ok) {
      if (r.error.code === 'staff_locked') this.relock();
      return;
    }
    this.renderResults(r.value);
  }

  private renderResults(guests: GuestMatch[]): void {
    const t = this.t;
    if (guests.length === 0) {
      this.ui.results!.replaceChildren(h('li', {}, t.searchEmpty));
      return;
    }
    this.ui.results!.replaceChildren(
      ...guests.map((g) => {
        const meta = [t.party(g.party_size), g.table_label ? t.table(g.table_label) : t.noTable].join(' · ');
        const action =
          g.status === 'revoked'
            ? h('span', { class: 'void' }, t.revoked)
            : g.checked_in_at
              ? h('span', { class: 'done' }, t.checkedInAt(clockTime(g.checked_in_at, this.setup.language)))
              : h('button', { type: 'button', 'data-action': 'manual' }, t.checkIn);
        return h('li', { 'data-guest': g.id }, h('div', { class: 'who' }, h('strong', {}, g.name), h('span', { class: 'meta' }, meta)), action);
      }),
    );
  }

  private async manualCheckin(guestId: string): Promise<void> {
    if (!this.staffToken) return this.relock();
    const r = await this.bridge.invoke('checkin.manual', { staff_token: this.staffToken, guest_id: guestId });
    if (!r.ok) {
      if (r.error.code === 'staff_locked') return this.relock();
      this.ui.toast!.textContent = r.error.message;
      return;
    }
    const res = r.value;
    if (res.outcome === 'admitted') {
      this.ui.toast!.textContent = this.t.manualDone(res.guest.name, res.guest.table_label ? this.t.table(res.guest.table_label) : this.t.noTable);
    } else {
      this.ui.toast!.textContent = res.reason === 'already_checked_in' ? this.t.alreadyTitle : this.t.refused[res.reason];
    }
    await this.search();
  }

  private renderStatus(): void {
    const s = this.status;
    const list = this.ui.statusList;
    if (!s || !list) return;
    const t = this.t;
    const rows: [string, string, string][] = [
      ['hub', t.hub, s.hub.online ? t.online : t.offline],
      ['outbox', t.outbox, String(s.outbox_depth)],
      ['last-sync', t.lastSync, s.hub.last_sync_at ? clockTime(s.hub.last_sync_at, this.setup.language) : t.never],
      ['scanner', t.scanner, scannerLine(s, t)],
      ['database', t.database, s.database.ok ? t.ok : `${t.problem}: ${s.database.detail ?? ''}`],
    ];
    list.replaceChildren(...rows.flatMap(([key, label, value]) => [h('dt', {}, label), h('dd', { 'data-status': key }, value)]));
  }
}
