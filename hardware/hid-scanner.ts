// One configured HID device as a Scanner: finds it by vendor/product id (and usage page), decodes its reports by role,
// and keeps looking for it while it is unplugged so it is back within the poll interval after a replug.
import { KeyboardReportDecoder } from '../core/decoders/hid-keyboard';
import { DEFAULT_POS_LAYOUT, PosReportDecoder } from '../core/decoders/hid-pos';
import { canonicalNfcUid } from '../core/decoders/nfc-uid';
import { DEFAULT_NFC_RAW_LAYOUT, usbId, type DeviceConfig } from './config';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid-backend';
import { ScannerBase } from './scanner';

export const DEFAULT_POLL_MS = 500;
/** A reader repeats the UID while the card lies on it: the same UID within this time is one tap. */
const NFC_REPEAT_MS = 1500;

export function matchesConfig(info: HidDeviceInfo, config: DeviceConfig): boolean {
  if (info.vendorId !== usbId(config.vendorId) || info.productId !== usbId(config.productId)) return false;
  if (config.usagePage !== undefined && info.usagePage !== usbId(config.usagePage)) return false;
  if (config.serialNumber !== undefined && info.serialNumber !== config.serialNumber) return false;
  return true;
}

export function deviceLabel(config: DeviceConfig): string {
  const hex4 = (v: number | string) => usbId(v).toString(16).padStart(4, '0');
  return `${hex4(config.vendorId)}:${hex4(config.productId)}`;
}

type Decode = (report: Uint8Array) => void;

export class HidScanner extends ScannerBase {
  private handle: HidHandle | null = null;
  private path: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy = false;
  private running = false;
  private waitingNoted = false;
  private decode: Decode;
  private lastUid: { uid: string; at: number } | null = null;

  constructor(
    readonly config: DeviceConfig,
    private readonly backend: HidBackend,
    private readonly pollMs = DEFAULT_POLL_MS,
    now: () => number = Date.now,
  ) {
    super(config.name, now);
    this.decode = this.makeDecoder();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.drop(null);
  }

  /** One look at the bus: open the device if it appeared, notice if it vanished without a read error. */
  private async poll(): Promise<void> {
    if (this.busy || !this.running) return;
    this.busy = true;
    try {
      let list: HidDeviceInfo[];
      try {
        list = await this.backend.devices();
      } catch (e) {
        this.recordError(`cannot list HID devices: ${(e as Error).message}`);
        return;
      }
      if (this.handle) {
        if (!list.some((d) => d.path === this.path)) await this.drop('device unplugged');
        return;
      }
      const found = list.find((d) => matchesConfig(d, this.config));
      if (!found) {
        if (!this.waitingNoted) {
          this.waitingNoted = true;
          this.recordError(`${deviceLabel(this.config)} is not plugged in`);
        }
        return;
      }
      let handle: HidHandle;
      try {
        handle = await this.backend.open(found.path);
      } catch (e) {
        // Usually permissions: hidraw nodes are root-only until a udev rule opens them to the kiosk's user.
        this.recordError(`cannot open ${deviceLabel(this.config)}: ${(e as Error).message} (check the udev rule giving the kiosk user access to /dev/hidraw*)`);
        return;
      }
      if (!this.running) {
        await handle.close().catch(() => undefined);
        return;
      }
      this.handle = handle;
      this.path = found.path;
      this.waitingNoted = false;
      this.decode = this.makeDecoder();
      handle.onData((report) => {
        if (this.handle === handle) this.decode(report);
      });
      handle.onError((e) => {
        if (this.handle === handle) void this.drop(`read error: ${e.message}`);
      });
      this.markConnected();
    } finally {
      this.busy = false;
    }
  }

  private async drop(error: string | null): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.path = null;
    if (handle) {
      await handle.close().catch(() => undefined);
      this.markDisconnected(error);
    }
  }

  private makeDecoder(): Decode {
    const c = this.config;
    switch (c.role) {
      case 'keyboard-scanner':
      case 'nfc-keyboard': {
        const keyboard = new KeyboardReportDecoder(c.layout ?? 'us');
        return (report) => {
          let bytes = report;
          if (c.reportId !== undefined) {
            if (bytes[0] !== c.reportId) return;
            bytes = bytes.subarray(1);
          }
          const r = keyboard.push(bytes);
          if (!r.ok) return this.recordError(r.reason);
          for (const scan of r.scans) {
            if (c.role === 'keyboard-scanner') this.emitScan('barcode', scan.text);
            else this.nfc(canonicalNfcUid(scan.text, c.uidForm ?? 'auto'), `${scan.text.length} typed characters`);
          }
        };
      }
      case 'pos-scanner': {
        const pos = new PosReportDecoder(c.posLayout ?? DEFAULT_POS_LAYOUT);
        return (report) => {
          const r = pos.push(report);
          if (!r.ok) return this.recordError(r.reason);
          for (const scan of r.scans) this.emitScan('barcode', scan.text, scan.symbology || undefined);
        };
      }
      case 'nfc-raw': {
        const layout = c.nfcRawLayout ?? DEFAULT_NFC_RAW_LAYOUT;
        return (report) => {
          if (layout.reportId !== null && report[0] !== layout.reportId) return;
          const length = report[layout.lengthOffset];
          if (length === undefined || layout.uidOffset + length > report.length) {
            return this.recordError(`NFC report of ${report.length} bytes is too short for its UID`);
          }
          if (length === 0) return; // no card on the reader
          this.nfc(canonicalNfcUid(report.subarray(layout.uidOffset, layout.uidOffset + length), c.uidForm ?? 'auto'), `${length} UID bytes`);
        };
      }
      default: {
        const never: never = c.role;
        throw new Error(`unknown device role ${String(never)}`);
      }
    }
  }

  /** `what` describes the input without quoting it: a UID is a credential and stays out of status text and logs. */
  private nfc(result: ReturnType<typeof canonicalNfcUid>, what: string): void {
    if (!result.ok) return this.recordError(`NFC reader sent ${what} that are not a card UID`);
    const at = this.now();
    if (this.lastUid && this.lastUid.uid === result.uid && at - this.lastUid.at < NFC_REPEAT_MS) {
      this.lastUid.at = at;
      return;
    }
    this.lastUid = { uid: result.uid, at };
    this.emitScan('nfc', result.uid);
  }
}

