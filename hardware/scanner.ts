// The one interface the kiosk sees for every scanner and reader, real or simulated: scan events and a status per device.
import { Listeners } from './listeners';

export type ScanKind = 'barcode' | 'nfc';

export interface ScanEvent {
  kind: ScanKind;
  /** Barcode text as decoded, or the canonical NFC UID (core/decoders/nfc-uid.ts). */
  value: string;
  /** The configured device name. */
  device: string;
  /** Epoch milliseconds when the scan completed. */
  at: number;
  /** AIM symbology identifier, when the scanner reports one (HID POS). */
  symbology?: string;
}

/** An unplugged period: `to` is null while the device is still away. */
export interface StatusGap {
  from: number;
  to: number | null;
}

export interface DeviceStatus {
  device: string;
  connected: boolean;
  /** Epoch ms of the last completed scan. */
  lastScanAt: number | null;
  lastError: string | null;
  errorCount: number;
  connectedAt: number | null;
  disconnectedAt: number | null;
  reconnects: number;
  /** The most recent unplugged periods, oldest first (at most 10). */
  gaps: StatusGap[];
}

export interface Scanner {
  readonly device: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): DeviceStatus;
  /** Returns a function that removes the listener. */
  onScan(listener: (scan: ScanEvent) => void): () => void;
  onStatus(listener: (status: DeviceStatus) => void): () => void;
}

const MAX_GAPS = 10;

/** Listener lists and status bookkeeping shared by the node-hid scanner and the simulated ones. */
export abstract class ScannerBase implements Scanner {
  private readonly scanListeners = new Listeners<ScanEvent>();
  private readonly statusListeners = new Listeners<DeviceStatus>();
  protected state: DeviceStatus;

  protected constructor(readonly device: string, protected readonly now: () => number = Date.now) {
    this.state = { device, connected: false, lastScanAt: null, lastError: null, errorCount: 0, connectedAt: null, disconnectedAt: null, reconnects: 0, gaps: [] };
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  status(): DeviceStatus {
    return { ...this.state, gaps: this.state.gaps.map((g) => ({ ...g })) };
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    return this.scanListeners.add(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  protected emitScan(kind: ScanKind, value: string, symbology?: string): void {
    const at = this.now();
    this.state.lastScanAt = at;
    const scan: ScanEvent = symbology ? { kind, value, device: this.device, at, symbology } : { kind, value, device: this.device, at };
    this.scanListeners.emit(scan);
    this.emitStatus();
  }

  protected markConnected(): void {
    const at = this.now();
    const open = this.state.gaps.at(-1);
    if (open && open.to === null) {
      open.to = at;
      this.state.reconnects += 1;
    }
    this.state.connected = true;
    this.state.connectedAt = at;
    this.emitStatus();
  }

  /** `error` is null for a deliberate stop. */
  protected markDisconnected(error: string | null): void {
    const wasConnected = this.state.connected;
    const at = this.now();
    this.state.connected = false;
    if (error !== null) this.recordError(error, false);
    if (wasConnected) {
      this.state.disconnectedAt = at;
      if (error !== null) {
        this.state.gaps.push({ from: at, to: null });
        if (this.state.gaps.length > MAX_GAPS) this.state.gaps.shift();
      }
    }
    this.emitStatus();
  }

  protected recordError(message: string, notify = true): void {
    this.state.lastError = message;
    this.state.errorCount += 1;
    if (notify) this.emitStatus();
  }

  protected emitStatus(): void {
    const s = this.status();
    this.statusListeners.emit(s);
  }
}
