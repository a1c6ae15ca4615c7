// Reports are written by hand from HID 1.11 appendix B.1 (boot keyboard report) and the Keyboard/Keypad page (0x07)
// of the HID Usage Tables, with key positions of the US and Spanish layouts: never produced by the decoder's own tables.
import { describe, expect, it } from 'vitest';
import { decodeKeyboardReports, KeyboardReportDecoder } from './hid-keyboard';

const NONE = 0x00;
const LSHIFT = 0x02; // modifier bit 1 = Left Shift (usage 0xE1)
const RALT = 0x40; // modifier bit 6 = Right Alt (usage 0xE6), AltGr on ISO layouts
const LCTRL = 0x01;
const LALT = 0x04;
const UP = [0, 0, 0, 0, 0, 0, 0, 0];

/** One key press and its release, as a scanner sends them. */
const tap = (mod: number, usage: number) => [[mod, 0, usage, 0, 0, 0, 0, 0], UP];

describe('US layout', () => {
  it('decodes a ticket code with letters, digits, - / and #', () => {
    const reports = [
      ...tap(LSHIFT, 0x17), // T
      ...tap(LSHIFT, 0x0e), // K
      ...tap(NONE, 0x2d), // -  (usage 0x2D "- and _")
      ...tap(NONE, 0x1f), // 2
      ...tap(NONE, 0x27), // 0
      ...tap(NONE, 0x1f), // 2
      ...tap(NONE, 0x23), // 6
      ...tap(NONE, 0x38), // /  (usage 0x38 "/ and ?")
      ...tap(LSHIFT, 0x20), // #  (Shift + 3)
      ...tap(LSHIFT, 0x04), // A
      ...tap(NONE, 0x24), // 7
      ...tap(NONE, 0x1d), // z
      ...tap(NONE, 0x28), // Enter
    ];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['TK-2026/#A7z'], pending: '' });
  });

  it('types the wrong characters when the layout is wrong, which is why the layout is configured', () => {
    const reports = [...tap(NONE, 0x2d), ...tap(NONE, 0x38), ...tap(LSHIFT, 0x20), ...tap(NONE, 0x28)];
    // The same key positions on a Spanish layout: ' - ·
    expect(decodeKeyboardReports(reports, 'es')).toEqual({ ok: true, scans: ["'-·"], pending: '' });
  });

  it('accepts keypad digits and keypad Enter', () => {
    const reports = [...tap(NONE, 0x59), ...tap(NONE, 0x62), ...tap(NONE, 0x56), ...tap(NONE, 0x58)];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['10-'], pending: '' });
  });
});

describe('Spanish layout', () => {
  it('decodes the same ticket code from ES key positions (- right of the period, / on Shift+7, # on AltGr+3)', () => {
    const reports = [
      ...tap(LSHIFT, 0x17), // T
      ...tap(LSHIFT, 0x0e), // K
      ...tap(NONE, 0x38), // -  (ES: the key right of the period)
      ...tap(NONE, 0x1f), // 2
      ...tap(NONE, 0x27), // 0
      ...tap(NONE, 0x1f), // 2
      ...tap(NONE, 0x23), // 6
      ...tap(LSHIFT, 0x24), // /  (ES: Shift + 7)
      ...tap(RALT, 0x20), // #  (ES: AltGr + 3)
      ...tap(LSHIFT, 0x04), // A
      ...tap(NONE, 0x24), // 7
      ...tap(NONE, 0x1d), // z
      ...tap(NONE, 0x28), // Enter
    ];
    expect(decodeKeyboardReports(reports, 'es')).toEqual({ ok: true, scans: ['TK-2026/#A7z'], pending: '' });
  });

  it('takes Ctrl+Alt as AltGr, as Windows does', () => {
    const reports = [...tap(LCTRL | LALT, 0x1f), ...tap(NONE, 0x28)]; // AltGr + 2 = @
    expect(decodeKeyboardReports(reports, 'es')).toEqual({ ok: true, scans: ['@'], pending: '' });
  });

  it('composes dead keys and types ñ, ç and the shifted digit row', () => {
    const reports = [
      ...tap(NONE, 0x34), ...tap(NONE, 0x04), // ´ then a = á
      ...tap(LSHIFT, 0x2f), ...tap(NONE, 0x2c), // ^ then space = ^
      ...tap(NONE, 0x33), // ñ
      ...tap(NONE, 0x32), // ç (ISO key left of Enter)
      ...tap(LSHIFT, 0x1f), // "
      ...tap(LSHIFT, 0x34), ...tap(NONE, 0x1e), // ¨ then 1: no such letter, both typed
      ...tap(NONE, 0x28),
    ];
    expect(decodeKeyboardReports(reports, 'es')).toEqual({ ok: true, scans: ['á^ñç"¨1'], pending: '' });
  });
});

describe('rollover, repeats and framing', () => {
  it('types a key once however many reports repeat it', () => {
    const a = [NONE, 0, 0x04, 0, 0, 0, 0, 0];
    expect(decodeKeyboardReports([a, a, a, UP, a, UP, [NONE, 0, 0x28, 0, 0, 0, 0, 0]], 'us')).toEqual({ ok: true, scans: ['aa'], pending: '' });
  });

  it('types the next key while the previous is still held (rollover), in report order', () => {
    const reports = [
      [NONE, 0, 0x04, 0, 0, 0, 0, 0], // a down
      [NONE, 0, 0x04, 0x05, 0, 0, 0, 0], // b down, a held
      [NONE, 0, 0x05, 0, 0, 0, 0, 0], // a up
      [NONE, 0, 0x05, 0x06, 0x07, 0, 0, 0], // c, d down together
      UP,
      [NONE, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['abcd'], pending: '' });
  });

  it('ignores an ErrorRollOver report and keeps the keys that were held', () => {
    const reports = [
      [NONE, 0, 0x04, 0, 0, 0, 0, 0],
      [NONE, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01], // phantom state
      [NONE, 0, 0x04, 0, 0, 0, 0, 0], // a was held all along: not typed again
      UP,
      [NONE, 0, 0x28, 0, 0, 0, 0, 0],
    ];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['a'], pending: '' });
  });

  it('ends a scan on Tab as well as Enter, and keeps text after the last one as pending', () => {
    const reports = [...tap(NONE, 0x1e), ...tap(NONE, 0x2b), ...tap(NONE, 0x1f), ...tap(NONE, 0x28), ...tap(NONE, 0x20)];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['1', '2'], pending: '3' });
  });

  it('does not type Ctrl chords or modifier-only reports, and honours Backspace', () => {
    const reports = [[LSHIFT, 0, 0, 0, 0, 0, 0, 0], ...tap(LCTRL, 0x06), ...tap(NONE, 0x04), ...tap(NONE, 0x05), ...tap(NONE, 0x2a), ...tap(NONE, 0x28)];
    expect(decodeKeyboardReports(reports, 'us')).toEqual({ ok: true, scans: ['a'], pending: '' });
  });

  it('does not report an empty scan for a bare Enter', () => {
    expect(decodeKeyboardReports(tap(NONE, 0x28), 'us')).toEqual({ ok: true, scans: [], pending: '' });
  });

  it('refuses a report that is not 8 bytes, naming which one', () => {
    const r = decodeKeyboardReports([UP, [0, 0, 4]], 'us');
    expect(r).toEqual({ ok: false, index: 1, reason: 'a keyboard report is 8 bytes, got 3' });
  });

  it('reports which key ended the scan', () => {
    const d = new KeyboardReportDecoder('us');
    d.push([NONE, 0, 0x04, 0, 0, 0, 0, 0]);
    expect(d.push([NONE, 0, 0x2b, 0, 0, 0, 0, 0])).toEqual({ ok: true, scans: [{ text: 'a', terminator: 'tab' }] });
  });
});
