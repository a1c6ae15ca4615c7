// Where scans enter the page: pushed reads from main's scanners and keyboard-wedge bursts typed into the page; each goes
// to main's `checkin.scan` for its decision, and the decision comes back to the result screens.
import type { CheckinResult, IpcResult, KioskBridge, KioskEvents, KioskSetup } from '../ipc/channels';

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
  showDecision(r: IpcResult<CheckinResult>): void;
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
    if (busy === 'pin' || busy === 'staff') return;
    performance.mark(SCAN_MARK);
    void this.checkIn(scan.kind, scan.value);
  }

  /** A key typed into the page: a keyboard-wedge scanner's burst ends with Enter. */
  key(e: KeyboardEvent): void {
    if (!this.setup.keyboard_scanner || this.host.busy() !== null) return;
    if (e.key === 'Enter') performance.mark(SCAN_MARK);
    const code = this.detector.key(e.key, e.timeStamp);
    if (code !== null) {
      e.preventDefault();
      void this.checkIn('barcode', code);
    }
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
