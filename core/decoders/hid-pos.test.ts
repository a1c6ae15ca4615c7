// Reports built by hand in the HID POS scanned-data layout (report ID 0x02, length, 3-byte AIM id, data, continuation flag at byte 63).
import { describe, expect, it } from 'vitest';
import { PosReportDecoder } from './hid-pos';

/** A 64-byte report: ID 0x02, length, AIM "]Q1" (QR Code), the ASCII of `text`, continuation flag. */
function report(text: string, more = false): number[] {
  const r = new Array<number>(64).fill(0);
  r[0] = 0x02;
  r[1] = text.length;
  r[2] = 0x5d; // ]
  r[3] = 0x51; // Q
  r[4] = 0x31; // 1
  for (let i = 0; i < text.length; i++) r[5 + i] = text.charCodeAt(i);
  r[63] = more ? 1 : 0;
  return r;
}

describe('HID POS scanned-data reports', () => {
  it('gives the code and its AIM symbology identifier', () => {
    expect(new PosReportDecoder().push(report('TK-2026/#A7z'))).toEqual({ ok: true, scans: [{ text: 'TK-2026/#A7z', symbology: ']Q1' }] });
  });

  it('joins a code spread over reports by the continuation flag', () => {
    const d = new PosReportDecoder();
    const long = 'A'.repeat(56);
    expect(d.push(report(long, true))).toEqual({ ok: true, scans: [] });
    expect(d.push(report('BC'))).toEqual({ ok: true, scans: [{ text: `${long}BC`, symbology: ']Q1' }] });
  });

  it('skips reports with another report ID', () => {
    const r = report('X');
    r[0] = 0x04;
    expect(new PosReportDecoder().push(r)).toEqual({ ok: true, scans: [] });
  });

  it('refuses truncated reports and impossible lengths with a reason', () => {
    expect(new PosReportDecoder().push([0x02, 3, 0x5d, 0x51])).toEqual({ ok: false, reason: 'scanned-data report is 4 bytes, the layout needs 64' });
    const r = report('X');
    r[1] = 60;
    expect(new PosReportDecoder().push(r)).toEqual({ ok: false, reason: 'scanned-data report says 60 data bytes, it holds at most 56' });
  });
});
