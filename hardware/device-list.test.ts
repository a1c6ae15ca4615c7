import { describe, expect, it } from 'vitest';
import { checkHardwareConfig, type HardwareConfig } from './config';
import { describeDevices, formatDeviceRows } from './device-list';

const KEYBOARD_IF = { path: '/dev/hidraw2', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x01, usage: 0x06, manufacturer: 'Honeywell', product: 'Voyager' };
const POS_IF = { ...KEYBOARD_IF, path: '/dev/hidraw3', usagePage: 0x8c, usage: 0x02 };
const MOUSE = { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc077, usagePage: 0x01, usage: 0x02, product: 'Mouse' };

function config(raw: unknown): HardwareConfig {
  const c = checkHardwareConfig(raw);
  if (!c.ok) throw new Error(c.reason);
  return c.config;
}

describe('describeDevices', () => {
  it('says what an unconfigured device would be used as', () => {
    const rows = describeDevices([KEYBOARD_IF, POS_IF, MOUSE], null);
    expect(rows.map((r) => [r.id, r.usagePage, r.use.split(':')[0]])).toEqual([
      ['0c2e:0b8f', '0x01:0x06', 'keyboard'],
      ['0c2e:0b8f', '0x8c:0x02', 'HID POS barcode scanner'],
      ['046d:c077', '0x01:0x02', 'not used'],
    ]);
  });

  it('marks the interface the config selects by usage page, and configured devices that are missing', () => {
    const c = config({
      devices: [
        { name: 'door-1', role: 'pos-scanner', vendorId: '0c2e', productId: '0b8f', usagePage: 140 },
        { name: 'nfc-1', role: 'nfc-keyboard', vendorId: '0x072f', productId: '0x2200', uidForm: 'decimal-le' },
      ],
    });
    const rows = describeDevices([KEYBOARD_IF, POS_IF], c);
    expect(rows.map((r) => r.configured)).toEqual([null, 'door-1', 'nfc-1']);
    expect(rows[1]?.use).toBe('used as door-1 (pos-scanner)');
    expect(rows[2]).toMatchObject({ id: '072f:2200', path: null, use: 'configured as nfc-1 (nfc-keyboard, decimal-le), NOT PLUGGED IN' });
    expect(formatDeviceRows(rows).split('\n')).toHaveLength(3);
  });
});

describe('checkHardwareConfig', () => {
  it('names the offending field', () => {
    expect(checkHardwareConfig({ devices: [{ name: 'a', role: 'scanner', vendorId: 1, productId: 2 }] })).toMatchObject({ ok: false, reason: expect.stringContaining('/devices/0/role') });
    expect(checkHardwareConfig({ devices: [{ name: 'a', role: 'pos-scanner', vendorId: 1, productId: 2, layout: 'fr' }] })).toMatchObject({ ok: false, reason: expect.stringContaining('/devices/0/layout') });
    expect(checkHardwareConfig({ devices: [{ name: 'a', role: 'pos-scanner', vendorId: 70000, productId: 2 }] })).toMatchObject({ ok: false, reason: expect.stringContaining('/devices/0/vendorId') });
    expect(checkHardwareConfig({ devices: [], pollMs: 5000 })).toMatchObject({ ok: false, reason: expect.stringContaining('/pollMs') });
  });

  it('refuses two devices with the same name', () => {
    const d = { name: 'door', role: 'pos-scanner', vendorId: 1, productId: 2 };
    expect(checkHardwareConfig({ devices: [d, d] })).toEqual({ ok: false, reason: '/devices/1/name "door" is used twice' });
  });
});

describe('hardware/example-config.json', () => {
  it('is a valid config (it is what venue IT copies)', async () => {
    const { loadHardwareConfig } = await import('./config');
    const loaded = loadHardwareConfig(new URL('./example-config.json', import.meta.url).pathname);
    expect(loaded).toMatchObject({ ok: true });
  });
});
