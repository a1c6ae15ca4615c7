// The kiosk's screens as one small state machine over the channel map: idle → checking → welcome / already / refused → idle,
// idle → find → found → idle (find my table, no check-in), out of order when main says so, and staff mode behind a PIN.
// This module owns the state (which screen is up, the setup, the last status) and switches screens; each screen builds
// and fills its own DOM (screens/), and scans enter through scans.ts. Plain DOM; every text goes through textContent.
import type { CheckinScreen, IpcResult, KioskBridge, KioskSetup, KioskStatus, StaffRole } from '../ipc/channels';
import { h } from './dom';
import { FloorMap } from './floor-map';
import { MESSAGES, type Messages } from './i18n';
import { ScanIntake, type ScanDetector } from './scans';
import { FindScreen } from './screens/find';
import { idleScreen } from './screens/idle';
import { OutOfOrderScreen } from './screens/out-of-order';
import { PinScreen } from './screens/pin';
import { ResultScreens } from './screens/result';
import { StaffScreen } from './screens/staff';

export type Screen = 'loading' | 'idle' | 'checking' | 'welcome' | 'already' | 'refused' | 'out_of_order' | 'pin' | 'staff' | 'find' | 'found';

/** Staff walk away: the PIN pad and staff mode (guest names on screen) close by themselves after this long untouched. */
const PIN_IDLE_MS = 30_000;
const STAFF_IDLE_MS = 120_000;
/** A guest who walks away from "Find my table" mid-search: back to idle after this long untouched. */
const FIND_IDLE_MS = 45_000;

interface Screens {
  result: ResultScreens;
  outOfOrder: OutOfOrderScreen;
  pin: PinScreen;
  staff: StaffScreen;
  find: FindScreen;
}

export class KioskApp {
  private screen: Screen = 'loading';
  private setup!: KioskSetup;
  private t!: Messages;
  private status: KioskStatus | null = null;
  private backToIdle: ReturnType<typeof setTimeout> | null = null;
  private staffIdle: ReturnType<typeof setTimeout> | null = null;
  private live!: HTMLElement;
  private screens!: Screens;
  private scans!: ScanIntake;
  /** A floor asked for after a change (status.floor_version), put up once no result screen is showing. */
  private nextFloor: { version: string; map: FloorMap } | null = null;
  private floorAsked: string | null = null;

  constructor(
    private readonly bridge: KioskBridge,
    private readonly makeDetector: (maxGapMs: number) => ScanDetector,
  ) {}

  async start(root: HTMLElement): Promise<void> {
    const setup = await this.bridge.invoke('kiosk.setup', {});
    if (!setup.ok) throw new Error(setup.error.message);
    this.setup = setup.value;
    this.t = MESSAGES[this.setup.language];
    document.documentElement.lang = this.setup.language;
    this.scans = new ScanIntake(this.bridge, this.setup, this.makeDetector(this.setup.scanner_max_gap_ms), {
      // The find screens are the guest's own, not staff's: a ticket scanned there is decided as on idle. Safest for the
      // door: a guest who finds their ticket mid-search is welcomed at once, instead of being told to scan again, and
      // nothing on those screens (first names and initials) is hidden by the result or lost to it.
      busy: () => (this.screen === 'pin' || this.screen === 'staff' || this.screen === 'loading' ? this.screen : null),
      showChecking: () => this.show('checking', this.t.checking),
      showDecision: (r) => this.showDecision(r),
      ignored: (on, typed) => (on === 'pin' ? this.screens.pin.scanIgnored(typed) : this.screens.staff.scanIgnored(typed)),
    });
    this.build(root);
    document.addEventListener('keydown', (e) => this.scans.key(e));
    for (const type of ['pointerdown', 'keydown', 'input']) document.addEventListener(type, () => (this.screen === 'pin' || this.screen === 'staff' ? this.touchStaff() : this.screen === 'find' ? this.armBackToIdle(FIND_IDLE_MS) : undefined), { capture: true });
    this.bridge.on('scan', (scan) => this.scans.pushed(scan));
    this.bridge.on('status', (s) => this.applyStatus(s));
    const status = await this.bridge.invoke('kiosk.status', {});
    if (status.ok) this.applyStatus(status.value);
    if (this.screen === 'loading') this.show('idle');
  }

  private build(root: HTMLElement): void {
    const t = this.t;
    const map = this.floorMap(this.setup);
    document.body.dataset.floor = this.setup.floor_version;
    this.screens = {
      result: new ResultScreens(t, this.setup, map),
      outOfOrder: new OutOfOrderScreen(t),
      pin: new PinScreen(t, this.bridge, { unlocked: (token, role, rights) => void this.openStaff(token, role, rights), cancel: () => this.idleOrOutOfOrder() }),
      staff: new StaffScreen(t, this.setup, this.bridge, { isOpen: () => this.screen === 'staff', relock: () => this.openPin(), exit: () => void this.exitStaff(), map: () => this.screens.result.floorMap }),
      find: new FindScreen(t, this.setup, this.bridge, { map: () => this.screens.result.floorMap, found: (a) => this.show('found', a), back: () => this.idleOrOutOfOrder() }),
    };
    this.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'assertive', 'data-testid': 'announce' });
    const [checking, welcome, already, refused] = this.screens.result.sections as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    const staffButton = h('button', { type: 'button', class: 'staff-button', 'data-action': 'open-pin', 'data-testid': 'staff-button' }, t.staff);
    staffButton.addEventListener('click', () => this.openPin());
    root.replaceChildren(
      this.live,
      h('section', { class: 'screen center', 'data-screen': 'loading' }, h('h1', {}, '…')),
      idleScreen(t, this.setup.venue_name, this.setup.find_my_table ? () => this.openFind() : null),
      checking,
      welcome,
      already,
      refused,
      this.screens.outOfOrder.section,
      this.screens.pin.section,
      this.screens.staff.section,
      this.screens.find.section,
      this.screens.find.result,
      staffButton,
    );
  }

  private show(screen: Screen, announcement?: string): void {
    this.screen = screen;
    document.body.dataset.screen = screen;
    if (this.backToIdle) clearTimeout(this.backToIdle);
    this.backToIdle = null;
    if (screen === 'welcome' || screen === 'already' || screen === 'refused' || screen === 'found') this.armBackToIdle(this.setup.result_ms);
    else if (screen === 'find') this.armBackToIdle(FIND_IDLE_MS);
    if (screen !== 'find') this.screens.find.leave();
    this.touchStaff();
    if (announcement !== undefined) this.live.textContent = announcement;
  }

  private armBackToIdle(ms: number): void {
    if (this.backToIdle) clearTimeout(this.backToIdle);
    this.backToIdle = setTimeout(() => this.idleOrOutOfOrder(), ms);
  }

  private openFind(): void {
    this.show('find', this.t.findTitle);
    this.screens.find.open();
  }

  private showDecision(r: IpcResult<CheckinScreen>): void {
    const { screen, announcement } = r.ok ? this.screens.result.render(r.value) : this.screens.result.renderFailure();
    this.show(screen, announcement);
  }

  private floorMap(setup: KioskSetup): FloorMap {
    return new FloorMap(setup.floor.plan, setup.floor.tables, setup.door_id, this.t.youAreHere);
  }

  /**
   * The plan or the tables changed (a room published from the Seat Designer, a table moved): ask for the floor again
   * and draw the next routes on it. A guest's welcome on screen keeps its route until the screen goes back to idle.
   */
  private refreshFloor(version: string): void {
    if (version === this.setup.floor_version || version === this.floorAsked) return;
    this.floorAsked = version;
    void this.bridge.invoke('kiosk.setup', {}).then(
      (r) => {
        if (!r.ok) {
          this.floorAsked = null;
          return;
        }
        this.nextFloor = { version: r.value.floor_version, map: this.floorMap(r.value) };
        this.setup = { ...this.setup, floor: r.value.floor, floor_version: r.value.floor_version };
        if (!this.showingResult()) this.putUpFloor();
      },
      () => {
        this.floorAsked = null;
      },
    );
  }

  private showingResult(): boolean {
    return this.screen === 'welcome' || this.screen === 'already' || this.screen === 'refused' || this.screen === 'checking' || this.screen === 'found';
  }

  private putUpFloor(): void {
    if (!this.nextFloor) return;
    this.screens.result.setMap(this.nextFloor.map);
    // Which floor the routes are drawn on (a test waits for a publish to arrive by it).
    document.body.dataset.floor = this.nextFloor.version;
    this.nextFloor = null;
  }

  private idleOrOutOfOrder(): void {
    this.scans.reset();
    this.putUpFloor();
    const out = this.status?.out_of_order;
    if (out) {
      this.screens.outOfOrder.render(out);
      this.show('out_of_order', this.t.outOfOrderTitle);
    } else {
      this.show('idle', this.t.idleHint);
    }
  }

  private applyStatus(status: KioskStatus): void {
    this.status = status;
    if (status.floor_version) this.refreshFloor(status.floor_version);
    this.screens.staff.renderStatus(status);
    if (this.screen === 'loading' || this.screen === 'idle' || this.screen === 'out_of_order' || (this.screen === 'find' && status.out_of_order)) this.idleOrOutOfOrder();
  }

  /** Any touch or key in the PIN pad or staff mode restarts its idle clock; other screens have none. */
  private touchStaff(): void {
    if (this.staffIdle) clearTimeout(this.staffIdle);
    this.staffIdle = null;
    if (this.screen === 'pin') this.staffIdle = setTimeout(() => this.idleOrOutOfOrder(), PIN_IDLE_MS);
    else if (this.screen === 'staff') this.staffIdle = setTimeout(() => void this.exitStaff(), STAFF_IDLE_MS);
  }

  private openPin(): void {
    this.show('pin', this.t.pinPrompt);
    this.screens.pin.open();
  }

  private async openStaff(token: string, role: StaffRole, supervisorRights: boolean): Promise<void> {
    this.show('staff', this.t.staff);
    this.screens.staff.open(token, role, supervisorRights);
    const status = await this.bridge.invoke('kiosk.status', {});
    if (status.ok) this.applyStatus(status.value);
  }

  private async exitStaff(): Promise<void> {
    const token = this.screens.staff.close();
    if (token) await this.bridge.invoke('staff.lock', { staff_token: token });
    this.idleOrOutOfOrder();
  }
}
