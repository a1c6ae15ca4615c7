// The node-hid backend: its translation of node-hid's enumeration (on a door box's devices, written down in testdata),
// which `hw list` and the scanners' matching read; and the real native module on this machine, which must load
// (libusb present, built for this runtime), enumerate through that same translation, and refuse a bad path cleanly.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as NodeHid from 'node-hid';
import { checkHardwareConfig } from './config';
import { describeDevices } from './device-list';
import { fromNodeHid, nodeHidBackend } from './hid-backend';

const recorded = (JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'node-hid-devices.json'), 'utf8')) as { devices: NodeHid.Device[] }).devices;

describe('fromNodeHid', () => {
  it('keeps the devices the kiosk can open, with the fields the config matches on, and drops node-hid extras', () => {
    const list = fromNodeHid(recorded);
    expect(list.map((d) => d.path)).toEqual(['/dev/hidraw2', '/dev/hidraw3', '/dev/hidraw4', '/dev/hidraw0']);
    expect(list[1]).toEqual({
      path: '/dev/hidraw3', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x8c, usage: 0x02,
      product: 'Voyager 1470g', manufacturer: 'Honeywell Imaging & Mobility', serialNumber: '21087B0412', interface: 1,
    });
    for (const d of list) expect(d).not.toHaveProperty('release');
  });

  it('feeds `hw list`: the example config finds its scanner interfaces and NFC reader on the bus', () => {
    const checked = checkHardwareConfig(JSON.parse(readFileSync(join(import.meta.dirname, 'example-config.json'), 'utf8')));
    if (!checked.ok) throw new Error(checked.reason);
    const rows = describeDevices(fromNodeHid(recorded), checked.config);
    expect(rows.map((r) => [r.path, r.configured])).toEqual([
      ['/dev/hidraw2', 'door-scanner'],
      ['/dev/hidraw3', null],
      ['/dev/hidraw4', 'door-nfc'],
      ['/dev/hidraw0', null],
      [null, 'door-pos'],
      [null, 'door-nfc-raw'],
    ]);
    expect(rows[1]?.use).toMatch(/^HID POS barcode scanner: not configured/);
    expect(rows[4]?.use).toContain('NOT PLUGGED IN');
  });
});

describe('nodeHidBackend on this machine', () => {
  it('loads the native module and enumerates through the same translation (CI has no devices: an empty list)', async () => {
    const hid = (await import('node-hid')) as unknown as { default?: typeof NodeHid } & typeof NodeHid;
    const raw = await (hid.default ?? hid).devicesAsync();
    const list = await nodeHidBackend().devices();
    expect(list).toEqual(fromNodeHid(raw));
  });

  it('rejects opening a path that is not a device, with node-hid\'s error instead of a crash', async () => {
    await expect(nodeHidBackend().open('/dev/seatpilot-no-such-hidraw')).rejects.toThrow(/could not open|cannot open|no such|failed/i);
  });
});
