// All of a kiosk's scanners as one stream of scans and one list of statuses: what the check-in service, the status
// bar, the heartbeat (`scanner_ok`) and `hw listen` consume.
import { Listeners } from './listeners';
import type { HardwareConfig } from './config';
import type { HidBackend } from './hid-backend';
import { DEFAULT_POLL_MS, HidScanner } from './hid-scanner';
import type { DeviceStatus, ScanEvent, Scanner } from './scanner';

export class ScannerSet {
  private readonly scanListeners = new Listeners<ScanEvent>();
  private readonly statusListeners = new Listeners<DeviceStatus>();

  constructor(readonly scanners: Scanner[]) {
    for (const s of scanners) {
      s.onScan((scan) => this.scanListeners.emit(scan));
      s.onStatus((status) => this.statusListeners.emit(status));
    }
  }

  static fromConfig(config: HardwareConfig, backend: HidBackend): ScannerSet {
    return new ScannerSet(config.devices.map((d) => new HidScanner(d, backend, config.pollMs ?? DEFAULT_POLL_MS)));
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    return this.scanListeners.add(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  async start(): Promise<void> {
    await Promise.all(this.scanners.map((s) => s.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.scanners.map((s) => s.stop()));
  }

  statuses(): DeviceStatus[] {
    return this.scanners.map((s) => s.status());
  }

  /** The heartbeat's `scanner_ok`: there is a scanner and every configured one is connected. */
  allConnected(): boolean {
    return this.scanners.length > 0 && this.scanners.every((s) => s.status().connected);
  }
}
