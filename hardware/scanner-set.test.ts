import { afterEach, describe, expect, it } from 'vitest';
import { checkHardwareConfig } from './config';
import type { ScanEvent } from './scanner';
import { ScannerSet } from './scanner-set';
import { SimulatedHidBackend } from './simulated';

const SCANNER = { path: '/dev/hidraw3', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x01 };
const READER = { path: '/dev/hidraw5', vendorId: 0x072f, productId: 0x2200, usagePage: 0x01 };
const UP = [0, 0, 0, 0, 0, 0, 0, 0];

const config = checkHardwareConfig({
  pollMs: 100,
  devices: [
    { name: 'door-scanner', role: 'keyboard-scanner', vendorId: '0c2e', productId: '0b8f' },
    { name: 'door-nfc', role: 'nfc-keyboard', vendorId: '072f', productId: '2200', uidForm: 'hex' },
  ],
});
if (!config.ok) throw new Error(config.reason);

let set: ScannerSet | null = null;
afterEach(async () => {
  await set?.stop();
  set = null;
});

async function until(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

describe('ScannerSet', () => {
  it('merges every device into one scan stream and says whether all are connected', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    set = ScannerSet.fromConfig(config.config, backend);
    const scans: ScanEvent[] = [];
    set.onScan((s) => scans.push(s));
    await set.start();
    expect(set.allConnected()).toBe(false);
    expect(set.statuses().map((s) => [s.device, s.connected, s.lastError])).toEqual([
      ['door-scanner', true, null],
      ['door-nfc', false, '072f:2200 is not plugged in'],
    ]);
    backend.add(READER);
    expect(await until(() => set?.allConnected() === true)).toBe(true);
    // Scanner types "5" + Enter; the reader types the UID 04a1b2c3 + Enter (usages: 0=27, 4=21, a=04, 1=1E, b=05, 2=1F, c=06, 3=20).
    const tap = (path: string, usages: number[]) => usages.forEach((u) => [[0, 0, u, 0, 0, 0, 0, 0], UP].forEach((r) => backend.send(path, r)));
    tap(SCANNER.path, [0x22, 0x28]);
    tap(READER.path, [0x27, 0x21, 0x04, 0x1e, 0x05, 0x1f, 0x06, 0x20, 0x28]);
    expect(scans.map((s) => [s.device, s.kind, s.value])).toEqual([
      ['door-scanner', 'barcode', '5'],
      ['door-nfc', 'nfc', '04A1B2C3'],
    ]);
  });

  it('tells venue IT when a device is present but cannot be opened', async () => {
    const backend = new SimulatedHidBackend([SCANNER, READER]);
    backend.denyOpen(READER.path);
    set = ScannerSet.fromConfig(config.config, backend);
    await set.start();
    const nfc = set.statuses()[1];
    expect(nfc?.connected).toBe(false);
    expect(nfc?.lastError).toBe('cannot open 072f:2200: cannot open device with path /dev/hidraw5 (check the udev rule giving the kiosk user access to /dev/hidraw*)');
    backend.denyOpen(READER.path, false);
    expect(await until(() => set?.allConnected() === true)).toBe(true);
  });
});
