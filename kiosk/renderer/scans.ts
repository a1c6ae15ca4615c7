// Where scans enter the page, and why a read goes main → page → main before it is decided. A HID scanner or NFC reader
// is read in main (kiosk/runtime.ts onScan) and pushed here raw (Electron's 'scan' event, browser mode's /events SSE);
// a keyboard-wedge scanner types into the page instead, told from a person by its key timing
// (core/decoders/keystroke-burst.ts). Either way this module sends it back to main's `checkin.scan`, which decides and
// records. The round trip (a few ms: npm run bench:kiosk-ui) stays because only the page knows which screen is up and
// shows the result: main deciding on arrival would admit and record a guest while the PIN pad or staff mode (which hide
// the result screens) is open, and the guest at the door would see nothing. So the page is the gate. On the guest's
// screens a scan is decided. While staff hold the screen it is not sent (nothing is recorded, since nothing was
// decided) and that screen says so, so the guest scans again once staff leave. It is not queued either: decided
// minutes later, when staff lock, it would welcome a guest who has walked on or whom staff have just checked in by
// hand. A wedge scanner's burst on those screens is caught too: its Enter would otherwise submit the code as a PIN (a
// wrong attempt toward the lockout) or land in the staff search.
import type { CheckinScreen, IpcResult, KioskBridge, KioskEvents, KioskSetup } from '../ipc/channels';

/** Tells a keyboard-emulating scanner's burst from typing (core/decoders/keystroke-burst.ts). */
export interface ScanDetector {
  key(key: string, atMs: number): string | null;
  reset(): void;
}

/** Marks used by the benchmark: the Enter (or pushed scan) and the result screen's first paint. */
export const SCAN_MARK = 'scan-enter';
export const SCAN_MEASURE = 'scan-to-screen';
/** Enter → the decision back from main: the part of SCAN_MEASURE spent outside the page. */
export const SCAN_DECIDED_MEASURE = 'scan-to-decision';
/** The page's own work on a result: route search and DOM writes (the rest is the frame and the paint). */
export const SCAN_DOM_MEASURE = 'scan-result-dom';
const CHECKING_AFTER_MS = 150;

/** What the intake needs from the app: which screen is up, and the screens a scan leads to. */
export interface ScanHost {
  /** A screen that takes no scan right now: staff hold the screen ('pin', 'staff'), or the page is not ready ('loading'). */
  busy(): 'pin' | 'staff' | 'loading' | null;
  showChecking(): void;
  showDecision(r: IpcResult<CheckinScreen>): void;
  /** A scan set aside while staff hold the screen. `typed`: the code a wedge scanner typed into the focused field. */
  ignored(on: 'pin' | 'staff', typed: string | null): void;
}

export class ScanIntake {
  private seq = 0;

  constructor(
    private readonly bridge: KioskBridge,
    private readonly setup: KioskSetup,
    private readonly detector: ScanDetector,
    private readonly host: ScanHost,
  ) {}

  /** A read pushed by main (HID scanner, NFC reader). */
  pushed(scan: KioskEvents['scan']): void {
    const busy = this.host.busy();
    if (busy === 'pin' || busy === 'staff') return this.host.ignored(busy, null);
    performance.mark(SCAN_MARK);
    void this.checkIn(scan.kind, scan.value);
  }

  /** A key typed into the page: a keyboard-wedge scanner's burst ends with Enter. */
  key(e: KeyboardEvent): void {
    const busy = this.host.busy();
    if (!this.setup.keyboard_scanner || busy === 'loading') return;
    if (busy === null && e.key === 'Enter') performance.mark(SCAN_MARK);
    const code = this.detector.key(e.key, e.timeStamp);
    if (code === null) return;
    e.preventDefault();
    if (busy === null) void this.checkIn('barcode', code);
    else this.host.ignored(busy, code);
  }

  /** Forget a half-read burst (back on idle: what came before is not the start of the next guest's code). */
  reset(): void {
    this.detector.reset();
  }

  private async checkIn(kind: 'barcode' | 'nfc', value: string): Promise<void> {
    const seq = ++this.seq;
    // "One moment" only when the answer is slow: a decision in a few ms would otherwise flash it for one frame.
    const checking = setTimeout(() => seq === this.seq && this.host.showChecking(), CHECKING_AFTER_MS);
    const r = await this.bridge.invoke('checkin.scan', { kind, value });
    clearTimeout(checking);
    if (seq !== this.seq) return; // a newer scan owns the screen
    const decidedAt = performance.now();
    try {
      performance.measure(SCAN_DECIDED_MEASURE, { start: SCAN_MARK });
    } catch {
      // No Enter mark (a pushed scan before any key): nothing to measure.
    }
    this.host.showDecision(r);
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
}
