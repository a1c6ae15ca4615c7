// Tells a keyboard-emulating scanner from a person at the keyboard by timing alone: a scanner types a whole code with
// keys < 50 ms apart and ends it with Enter; people type slower than that. The renderer's fallback when a scanner is
// used without node-hid. Pure: feed it KeyboardEvent.key values with their timestamps.

export interface BurstOptions {
  /** Keys closer than this (strictly) belong to one burst. */
  maxGapMs: number;
  /** Shorter bursts are a person's quick double-tap, not a code. */
  minLength: number;
}

export const DEFAULT_BURST_OPTIONS: BurstOptions = { maxGapMs: 50, minLength: 4 };

// Keys a scanner presses in passing (Shift for capitals, AltGr on ES layouts, a dead key before its letter): they
// neither type nor break the burst.
const PASS_THROUGH = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Dead', 'Unidentified']);

export class KeystrokeBurstDetector {
  private buffer = '';
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly options: BurstOptions;

  constructor(options: Partial<BurstOptions> = {}) {
    this.options = { ...DEFAULT_BURST_OPTIONS, ...options };
  }

  /**
   * One keydown. Returns the scanned code when this key is the Enter that ends a scanner burst, else null.
   * `atMs` is any monotonic millisecond clock (KeyboardEvent.timeStamp).
   */
  key(key: string, atMs: number): string | null {
    if (PASS_THROUGH.has(key)) return null;
    const gap = atMs - this.lastAt;
    // A clock that went backwards cannot vouch for the burst.
    const inBurst = this.buffer !== '' && gap >= 0 && gap < this.options.maxGapMs;
    if (key === 'Enter') {
      const code = inBurst && this.buffer.length >= this.options.minLength ? this.buffer : null;
      this.reset();
      return code;
    }
    if ([...key].length !== 1) {
      // Backspace, arrows, Escape…: a person is editing, whatever came before is not a scan.
      this.reset();
      return null;
    }
    this.buffer = inBurst ? this.buffer + key : key;
    this.lastAt = atMs;
    return null;
  }

  reset(): void {
    this.buffer = '';
    this.lastAt = Number.NEGATIVE_INFINITY;
  }
}
