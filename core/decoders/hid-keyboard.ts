// Boot-protocol keyboard reports → text, for keyboard-emulating barcode scanners and NFC readers read through node-hid.
//
// A report is 8 bytes (HID 1.11, appendix B.1): modifier bits, a reserved byte, then up to six key codes of the
// Keyboard/Keypad usage page (0x07, HID Usage Tables §10). A key "types" when it appears in a report and was not in
// the previous one, so repeated reports and rollover (a key still held while the next goes down) type each key once.
// The layout is the one the scanner is configured for: the scanner sends key positions, not characters.

export const KEYBOARD_LAYOUTS = ['us', 'es'] as const;
export type KeyboardLayout = (typeof KEYBOARD_LAYOUTS)[number];

export function isKeyboardLayout(v: string): v is KeyboardLayout {
  return (KEYBOARD_LAYOUTS as readonly string[]).includes(v);
}

/** What ended a scan: the scanner's suffix key. */
export type ScanTerminator = 'enter' | 'tab';

export const BOOT_REPORT_LENGTH = 8;

// Modifier byte bits (HID 1.11 §8.3): the order of usages 0xE0–0xE7.
const MOD = { lctrl: 0x01, lshift: 0x02, lalt: 0x04, lgui: 0x08, rctrl: 0x10, rshift: 0x20, ralt: 0x40, rgui: 0x80 } as const;

// Usages with a meaning rather than a character.
const USAGE = {
  errorRollOver: 0x01,
  postFail: 0x02,
  errorUndefined: 0x03,
  enter: 0x28,
  backspace: 0x2a,
  tab: 0x2b,
  keypadEnter: 0x58,
  firstModifier: 0xe0,
  lastModifier: 0xe7,
} as const;

/** A dead key: types nothing until the next key, then composes with it (Spanish ´ ` ^ ¨). */
type Dead = { dead: string; spacing: string };
type Cell = string | Dead | undefined;
/** [no modifier, Shift, AltGr] for one key position. */
type KeyCells = readonly [Cell, Cell, Cell?];

function letters(): Map<number, KeyCells> {
  const m = new Map<number, KeyCells>();
  for (let i = 0; i < 26; i++) {
    const c = String.fromCharCode(0x61 + i);
    m.set(0x04 + i, [c, c.toUpperCase()]);
  }
  return m;
}

/** Keypad keys type the same in both layouts (and ignore Num Lock state, which a scanner does not change). */
const KEYPAD: ReadonlyArray<[number, string]> = [
  [0x54, '/'], [0x55, '*'], [0x56, '-'], [0x57, '+'],
  [0x59, '1'], [0x5a, '2'], [0x5b, '3'], [0x5c, '4'], [0x5d, '5'], [0x5e, '6'], [0x5f, '7'], [0x60, '8'], [0x61, '9'], [0x62, '0'],
  [0x63, '.'],
];

function common(): Map<number, KeyCells> {
  const m = letters();
  m.set(0x2c, [' ', ' ']);
  for (const [u, c] of KEYPAD) m.set(u, [c, c]);
  return m;
}

// US (ANSI) layout: HID Usage Tables §10, the US legends of the key table.
const US: ReadonlyMap<number, KeyCells> = (() => {
  const m = common();
  const digits = '1234567890';
  const shifted = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) m.set(0x1e + i, [digits[i], shifted[i]]);
  const rows: Array<[number, string, string]> = [
    [0x2d, '-', '_'], [0x2e, '=', '+'], [0x2f, '[', '{'], [0x30, ']', '}'], [0x31, '\\', '|'], [0x32, '\\', '|'],
    [0x33, ';', ':'], [0x34, "'", '"'], [0x35, '`', '~'], [0x36, ',', '<'], [0x37, '.', '>'], [0x38, '/', '?'], [0x64, '\\', '|'],
  ];
  for (const [u, a, b] of rows) m.set(u, [a, b]);
  return m;
})();

const dead = (combining: string, spacing: string): Dead => ({ dead: combining, spacing });

// Spanish (Spain, ISO) layout as the OSes define it (xkb `es`, Windows "Spanish"): digits shift to " · $ % & / ( ) =,
// | @ # ~ ¬ are on AltGr+1/2/3/4/6 and € on AltGr+E, - is right of the period, and ´ ` ^ ¨ are dead keys. Windows
// makes AltGr+4 a dead tilde where xkb types ~ at once; this table follows xkb, so a scanner that sends "AltGr+4,
// Space" for ~ yields "~ " (tickets in practice avoid ~).
const ES: ReadonlyMap<number, KeyCells> = (() => {
  const m = common();
  const digits = '1234567890';
  const shifted = '!"·$%&/()=';
  const altgr: Record<number, string> = { 0: '|', 1: '@', 2: '#', 3: '~', 5: '¬' };
  for (let i = 0; i < 10; i++) m.set(0x1e + i, [digits[i], shifted[i], altgr[i]]);
  m.set(0x08, ['e', 'E', '€']);
  m.set(0x35, ['º', 'ª', '\\']);
  m.set(0x2d, ["'", '?']);
  m.set(0x2e, ['¡', '¿']);
  m.set(0x2f, [dead('\u0300', '`'), dead('\u0302', '^'), '[']);
  m.set(0x30, ['+', '*', ']']);
  m.set(0x33, ['ñ', 'Ñ']);
  m.set(0x34, [dead('\u0301', '´'), dead('\u0308', '¨'), '{']);
  // The key left of Enter: usage 0x32 on ISO boards, 0x31 on boards that report the ANSI code; both type ç.
  m.set(0x31, ['ç', 'Ç', '}']);
  m.set(0x32, ['ç', 'Ç', '}']);
  m.set(0x64, ['<', '>']);
  m.set(0x36, [',', ';']);
  m.set(0x37, ['.', ':']);
  m.set(0x38, ['-', '_']);
  return m;
})();

const LAYOUT_TABLES: Record<KeyboardLayout, ReadonlyMap<number, KeyCells>> = { us: US, es: ES };

export type ReportResult =
  | { ok: true; scans: Array<{ text: string; terminator: ScanTerminator }> }
  | { ok: false; reason: string };

export class KeyboardReportDecoder {
  private held = new Set<number>();
  private buffer = '';
  private pendingDead: Dead | null = null;
  private readonly table: ReadonlyMap<number, KeyCells>;

  constructor(readonly layout: KeyboardLayout) {
    this.table = LAYOUT_TABLES[layout];
  }

  /** Text typed since the last Enter/Tab (what a scan would be if it ended now). */
  get pending(): string {
    return this.buffer + (this.pendingDead?.spacing ?? '');
  }

  reset(): void {
    this.held.clear();
    this.buffer = '';
    this.pendingDead = null;
  }

  /** Feed one report; returns the scans it completed (usually none, one for the report that presses Enter). */
  push(report: ArrayLike<number>): ReportResult {
    if (report.length !== BOOT_REPORT_LENGTH) {
      return { ok: false, reason: `a keyboard report is ${BOOT_REPORT_LENGTH} bytes, got ${report.length}` };
    }
    const modifiers = report[0] as number;
    const keys: number[] = [];
    for (let i = 2; i < BOOT_REPORT_LENGTH; i++) {
      const k = report[i] as number;
      if (k !== 0) keys.push(k);
    }
    // Too many keys down (or a fault): the keyboard sends error codes in every slot and the held set is unknown.
    // The spec says to keep the previous state, so nothing types and nothing is released.
    if (keys.some((k) => k === USAGE.errorRollOver || k === USAGE.postFail || k === USAGE.errorUndefined)) {
      return { ok: true, scans: [] };
    }
    const scans: Array<{ text: string; terminator: ScanTerminator }> = [];
    for (const k of keys) {
      if (this.held.has(k)) continue;
      const done = this.press(k, modifiers);
      if (done) scans.push(done);
    }
    this.held = new Set(keys);
    return { ok: true, scans };
  }

  private press(usage: number, modifiers: number): { text: string; terminator: ScanTerminator } | null {
    if (usage >= USAGE.firstModifier && usage <= USAGE.lastModifier) return null;
    if (usage === USAGE.enter || usage === USAGE.keypadEnter) return this.finish('enter');
    if (usage === USAGE.tab) return this.finish('tab');
    if (usage === USAGE.backspace) {
      this.pendingDead = null;
      this.buffer = this.buffer.slice(0, -1);
      return null;
    }
    const shift = (modifiers & (MOD.lshift | MOD.rshift)) !== 0;
    // AltGr is Right Alt; Windows also treats Ctrl+Alt as AltGr and some scanners send it that way.
    const altGr = (modifiers & MOD.ralt) !== 0 || ((modifiers & (MOD.lctrl | MOD.rctrl)) !== 0 && (modifiers & MOD.lalt) !== 0);
    // A Ctrl or GUI chord without AltGr is a shortcut, not text.
    if (!altGr && (modifiers & (MOD.lctrl | MOD.rctrl | MOD.lgui | MOD.rgui | MOD.lalt)) !== 0) return null;
    const cells = this.table.get(usage);
    if (!cells) return null;
    const cell = altGr ? cells[2] : shift ? cells[1] : cells[0];
    if (cell === undefined) return null;
    this.type(cell);
    return null;
  }

  private type(cell: string | Dead): void {
    const prior = this.pendingDead;
    if (typeof cell !== 'string') {
      // Two dead keys in a row type the first one's own sign, as the OSes do.
      if (prior) this.buffer += prior.spacing;
      this.pendingDead = cell;
      return;
    }
    this.pendingDead = null;
    if (!prior) {
      this.buffer += cell;
      return;
    }
    if (cell === ' ') {
      this.buffer += prior.spacing;
      return;
    }
    const composed = (cell + prior.dead).normalize('NFC');
    // No precomposed letter (e.g. ´ then 1): both signs are typed.
    this.buffer += composed.length === 1 ? composed : prior.spacing + cell;
  }

  private finish(terminator: ScanTerminator): { text: string; terminator: ScanTerminator } | null {
    const text = this.pending;
    this.buffer = '';
    this.pendingDead = null;
    return text === '' ? null : { text, terminator };
  }
}

export type DecodeReportsResult =
  | { ok: true; scans: string[]; pending: string }
  | { ok: false; index: number; reason: string };

/** Decode a whole recording at once (the CLI and replays): the completed scans and any text after the last Enter. */
export function decodeKeyboardReports(reports: ReadonlyArray<ArrayLike<number>>, layout: KeyboardLayout): DecodeReportsResult {
  const decoder = new KeyboardReportDecoder(layout);
  const scans: string[] = [];
  for (let i = 0; i < reports.length; i++) {
    const r = decoder.push(reports[i] as ArrayLike<number>);
    if (!r.ok) return { ok: false, index: i, reason: r.reason };
    for (const s of r.scans) scans.push(s.text);
  }
  return { ok: true, scans, pending: decoder.pending };
}
