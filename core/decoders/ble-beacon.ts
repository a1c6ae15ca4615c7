// BLE advertisement payloads of table beacons: iBeacon and Eddystone-UID, parsed from the advertising data bytes.
//
// Advertising data is a run of AD structures: [length][AD type][length-1 bytes] (Bluetooth Core Supplement, part A).
// - iBeacon (Apple "Proximity Beacon Specification"): AD type 0xFF manufacturer data, company id 0x004C
//   (little-endian 4C 00), beacon type 0x02, length 0x15, then a 16-byte proximity UUID, major and minor (uint16
//   big-endian) and the measured power at 1 m (int8 dBm).
// - Eddystone-UID (Google's Eddystone protocol spec): AD type 0x16 service data for UUID 0xFEAA (little-endian
//   AA FE), frame type 0x00, calibrated tx power at 0 m (int8 dBm), 10-byte namespace, 6-byte instance, and two
//   reserved bytes that some beacons leave out.

import { toHex } from '../signing/hex';

export type Beacon =
  | { format: 'ibeacon'; uuid: string; major: number; minor: number; measuredPower: number }
  | { format: 'eddystone-uid'; namespace: string; instance: string; txPower: number };

export type BeaconParse = { ok: true; beacon: Beacon } | { ok: false; reason: string };

const AD_MANUFACTURER_DATA = 0xff;
const AD_SERVICE_DATA_16 = 0x16;
const APPLE_COMPANY_ID = 0x004c;
const IBEACON_TYPE = 0x02;
const IBEACON_LENGTH = 0x15;
const EDDYSTONE_UUID = 0xfeaa;
const EDDYSTONE_FRAMES: Record<number, string> = { 0x00: 'UID', 0x10: 'URL', 0x20: 'TLM', 0x30: 'EID' };

/** A stable key for a beacon, for config files mapping beacons to tables. */
export function beaconKey(b: Beacon): string {
  switch (b.format) {
    case 'ibeacon':
      return `ibeacon:${b.uuid}:${b.major}:${b.minor}`;
    case 'eddystone-uid':
      return `eddystone:${b.namespace}:${b.instance}`;
    default: {
      const never: never = b;
      return String(never);
    }
  }
}

const int8 = (b: number) => (b > 127 ? b - 256 : b);

function uuidText(bytes: Uint8Array): string {
  const h = toHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseIBeacon(data: Uint8Array): BeaconParse {
  // data = company id (2), type, length, 21 bytes
  if (data[2] !== IBEACON_TYPE) return { ok: false, reason: `Apple manufacturer data of type 0x${toHex([data[2] ?? 0])}, not an iBeacon (0x02)` };
  if (data[3] !== IBEACON_LENGTH) return { ok: false, reason: `iBeacon length byte is 0x${toHex([data[3] ?? 0])}, the spec says 0x15` };
  if (data.length < 4 + IBEACON_LENGTH) return { ok: false, reason: `iBeacon frame truncated: ${data.length - 4} of 21 bytes after the length byte` };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ok: true,
    beacon: { format: 'ibeacon', uuid: uuidText(data.subarray(4, 20)), major: view.getUint16(20), minor: view.getUint16(22), measuredPower: int8(data[24] as number) },
  };
}

function parseEddystone(data: Uint8Array): BeaconParse {
  // data = service uuid (2), frame type, …
  if (data.length < 3) return { ok: false, reason: 'Eddystone frame truncated: no frame type' };
  const frame = data[2] as number;
  if (frame !== 0x00) {
    const name = EDDYSTONE_FRAMES[frame];
    return { ok: false, reason: name ? `Eddystone-${name} frame, not Eddystone-UID` : `unknown Eddystone frame type 0x${toHex([frame])}` };
  }
  if (data.length < 2 + 18) return { ok: false, reason: `Eddystone-UID frame truncated: ${data.length - 2} of 18 bytes` };
  return {
    ok: true,
    beacon: { format: 'eddystone-uid', txPower: int8(data[3] as number), namespace: toHex(data.subarray(4, 14)), instance: toHex(data.subarray(14, 20)) },
  };
}

/** Parse the advertising data of one advertisement (or scan response) and find the beacon frame in it. */
export function parseBeaconAdvertisement(payload: Uint8Array): BeaconParse {
  if (payload.length === 0) return { ok: false, reason: 'empty advertisement' };
  const seen: string[] = [];
  let firstProblem: string | null = null;
  let at = 0;
  while (at < payload.length) {
    const length = payload[at] as number;
    // A zero length ends the significant part; the rest of a 31-byte buffer is padding.
    if (length === 0) break;
    if (at + 1 + length > payload.length) {
      return { ok: false, reason: `AD structure at byte ${at} says ${length} bytes but only ${payload.length - at - 1} remain (truncated frame)` };
    }
    const type = payload[at + 1] as number;
    const data = payload.subarray(at + 2, at + 1 + length);
    seen.push(`0x${toHex([type])}`);
    let found: BeaconParse | null = null;
    if (type === AD_MANUFACTURER_DATA && data.length >= 2 && ((data[0] as number) | ((data[1] as number) << 8)) === APPLE_COMPANY_ID) {
      found = parseIBeacon(data);
    } else if (type === AD_SERVICE_DATA_16 && data.length >= 2 && ((data[0] as number) | ((data[1] as number) << 8)) === EDDYSTONE_UUID) {
      found = parseEddystone(data);
    }
    if (found?.ok) return found;
    if (found && !firstProblem) firstProblem = found.reason;
    at += 1 + length;
  }
  if (firstProblem) return { ok: false, reason: firstProblem };
  return { ok: false, reason: `neither an iBeacon nor an Eddystone-UID frame (AD types present: ${seen.join(', ') || 'none'})` };
}
