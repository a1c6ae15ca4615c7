// HID POS barcode scanners (Barcode Scanner usage page 0x8C): the scanner reports the decoded barcode itself,
// so no keyboard layout is involved.
//
// The page defines a "Scanned Data Report" (usage 0x12) holding the AIM symbology identifier (usages 0xFB–0xFD), the
// decoded data (0xFE) and a "decoded data continued" flag (0xFF) for codes longer than one report; where each field
// sits is up to the report descriptor. The default below is the layout Honeywell and Zebra scanners ship in HID POS
// mode (report ID 0x02, 64-byte report); another scanner gets its own offsets in the device config.

export const BARCODE_SCANNER_USAGE_PAGE = 0x8c;

export interface PosReportLayout {
  /** The report ID of the scanned-data report (the first byte of every report node-hid returns for it). */
  reportId: number;
  /** Offsets from the start of the report, report ID byte included. */
  lengthOffset: number;
  symbologyOffset: number;
  dataOffset: number;
  /** Byte whose low bit says "more data follows in the next report"; null when codes always fit one report. */
  moreOffset: number | null;
  /** How many bytes of data the report can hold. */
  dataCapacity: number;
}

export const DEFAULT_POS_LAYOUT: PosReportLayout = {
  reportId: 0x02,
  lengthOffset: 1,
  symbologyOffset: 2,
  dataOffset: 5,
  moreOffset: 63,
  dataCapacity: 56,
};

export type PosScan = { text: string; symbology: string };
export type PosReportResult = { ok: true; scans: PosScan[] } | { ok: false; reason: string };

// Longer than any barcode: a stuck "more" flag must not grow the buffer for ever.
const MAX_CODE_BYTES = 8192;

export class PosReportDecoder {
  private parts: number[] = [];
  private symbology = '';
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(readonly layout: PosReportLayout = DEFAULT_POS_LAYOUT) {}

  push(report: ArrayLike<number>): PosReportResult {
    const l = this.layout;
    // Other reports of the same device (attributes, status) are not scans.
    if (report.length === 0 || report[0] !== l.reportId) return { ok: true, scans: [] };
    const needed = Math.max(l.lengthOffset, l.symbologyOffset + 2, l.moreOffset ?? 0) + 1;
    if (report.length < needed) return { ok: false, reason: `scanned-data report is ${report.length} bytes, the layout needs ${needed}` };
    const length = report[l.lengthOffset] as number;
    const room = Math.min(l.dataCapacity, report.length - l.dataOffset);
    if (length > room) return { ok: false, reason: `scanned-data report says ${length} data bytes, it holds at most ${room}` };
    if (this.parts.length === 0) {
      this.symbology = String.fromCharCode(report[l.symbologyOffset] as number, report[l.symbologyOffset + 1] as number, report[l.symbologyOffset + 2] as number).replace(/\0/g, '');
    }
    for (let i = 0; i < length; i++) this.parts.push(report[l.dataOffset + i] as number);
    if (this.parts.length > MAX_CODE_BYTES) {
      this.parts = [];
      return { ok: false, reason: `a code longer than ${MAX_CODE_BYTES} bytes: the continuation flag is stuck` };
    }
    const more = l.moreOffset !== null && ((report[l.moreOffset] as number) & 0x01) === 1;
    if (more) return { ok: true, scans: [] };
    const text = this.utf8.decode(Uint8Array.from(this.parts));
    this.parts = [];
    return { ok: true, scans: text === '' ? [] : [{ text, symbology: this.symbology }] };
  }
}
