// `hw list`: what is on the bus and what the kiosk would use each device as, so venue IT can write the config.
import { BARCODE_SCANNER_USAGE_PAGE } from '../core/decoders/hid-pos';
import type { DeviceConfig, HardwareConfig } from './config';
import type { HidDeviceInfo } from './hid-backend';
import { deviceLabel, matchesConfig } from './hid-scanner';

export interface DeviceRow {
  id: string;
  usagePage: string | null;
  product: string;
  path: string | null;
  /** What the kiosk does with it. */
  use: string;
  configured: string | null;
}

const hex = (v: number, width: number) => v.toString(16).padStart(width, '0');

function describeConfigured(c: DeviceConfig): string {
  const details = [c.role, c.layout, c.uidForm].filter(Boolean).join(', ');
  return `${c.name} (${details})`;
}

function guess(info: HidDeviceInfo): string {
  if (info.usagePage === BARCODE_SCANNER_USAGE_PAGE) return 'HID POS barcode scanner: not configured (role pos-scanner would use it)';
  if (info.usagePage === 0x01 && info.usage === 0x06) return 'keyboard: not configured (a keyboard-emulating scanner or NFC reader shows up like this: role keyboard-scanner or nfc-keyboard)';
  return 'not used';
}

export function describeDevices(devices: HidDeviceInfo[], config: HardwareConfig | null): DeviceRow[] {
  const rows: DeviceRow[] = devices.map((d) => {
    const match = config?.devices.find((c) => matchesConfig(d, c)) ?? null;
    return {
      id: `${hex(d.vendorId, 4)}:${hex(d.productId, 4)}`,
      usagePage: d.usagePage === undefined ? null : `0x${hex(d.usagePage, 2)}:0x${hex(d.usage ?? 0, 2)}`,
      product: [d.manufacturer, d.product].filter(Boolean).join(' ') || '(no name)',
      path: d.path,
      use: match ? `used as ${describeConfigured(match)}` : guess(d),
      configured: match?.name ?? null,
    };
  });
  // Configured devices that are absent are what venue IT most needs to see.
  for (const c of config?.devices ?? []) {
    if (devices.some((d) => matchesConfig(d, c))) continue;
    rows.push({ id: deviceLabel(c), usagePage: null, product: '', path: null, use: `configured as ${describeConfigured(c)}, NOT PLUGGED IN`, configured: c.name });
  }
  return rows;
}

export function formatDeviceRows(rows: DeviceRow[]): string {
  if (rows.length === 0) return 'No HID devices found.';
  return rows.map((r) => [r.id, r.usagePage ?? '-', r.product || '-', r.path ?? '-', `→ ${r.use}`].join('  ')).join('\n');
}
