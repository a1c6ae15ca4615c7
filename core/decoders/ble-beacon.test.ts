// Frames written byte by byte from Apple's Proximity Beacon Specification and Google's Eddystone-UID spec.
import { describe, expect, it } from 'vitest';
import { beaconKey, parseBeaconAdvertisement } from './ble-beacon';
import { parseHex } from '../signing/hex';

function hex(text: string): Uint8Array {
  const p = parseHex(text);
  if (!p.ok) throw new Error(p.reason);
  return p.bytes;
}

// Flags AD (len 2, type 0x01, LE General Discoverable + BR/EDR not supported), then the iBeacon AD:
// len 0x1A, type 0xFF, company 4C 00, type 02, length 15, UUID E2C56DB5-DFFB-48D2-B060-D0F5A71096E0,
// major 0x0001, minor 0x000C, measured power 0xC5 (-59 dBm).
const IBEACON = '02 01 06 1A FF 4C 00 02 15 E2 C5 6D B5 DF FB 48 D2 B0 60 D0 F5 A7 10 96 E0 00 01 00 0C C5';

// Flags, complete list of 16-bit service UUIDs (len 3, type 0x03, AA FE), then service data:
// len 0x17, type 0x16, UUID AA FE, frame 0x00, tx power 0xEC (-20 dBm), namespace EDD1EBEAC04E5DEFA017,
// instance 0BDB87539B67, reserved 00 00.
const EDDYSTONE = '02 01 06 03 03 AA FE 17 16 AA FE 00 EC ED D1 EB EA C0 4E 5D EF A0 17 0B DB 87 53 9B 67 00 00';

describe('parseBeaconAdvertisement', () => {
  it('parses an iBeacon advertisement', () => {
    const r = parseBeaconAdvertisement(hex(IBEACON));
    expect(r).toEqual({ ok: true, beacon: { format: 'ibeacon', uuid: 'E2C56DB5-DFFB-48D2-B060-D0F5A71096E0', major: 1, minor: 12, measuredPower: -59 } });
    if (r.ok) expect(beaconKey(r.beacon)).toBe('ibeacon:E2C56DB5-DFFB-48D2-B060-D0F5A71096E0:1:12');
  });

  it('reads major and minor big-endian', () => {
    // major 0x1234 = 4660, minor 0xFFFE = 65534, measured power 0xB3 = -77
    const r = parseBeaconAdvertisement(hex('1A FF 4C 00 02 15 00112233445566778899AABBCCDDEEFF 12 34 FF FE B3'));
    expect(r).toEqual({ ok: true, beacon: { format: 'ibeacon', uuid: '00112233-4455-6677-8899-AABBCCDDEEFF', major: 4660, minor: 65534, measuredPower: -77 } });
  });

  it('parses an Eddystone-UID advertisement, with or without the reserved bytes', () => {
    const expected = { ok: true, beacon: { format: 'eddystone-uid', txPower: -20, namespace: 'EDD1EBEAC04E5DEFA017', instance: '0BDB87539B67' } };
    expect(parseBeaconAdvertisement(hex(EDDYSTONE))).toEqual(expected);
    expect(parseBeaconAdvertisement(hex('15 16 AA FE 00 EC ED D1 EB EA C0 4E 5D EF A0 17 0B DB 87 53 9B 67'))).toEqual(expected);
  });

  it('stops at zero-length padding', () => {
    expect(parseBeaconAdvertisement(hex(`${IBEACON} 00 00`)).ok).toBe(true);
  });

  it.each([
    ['a truncated iBeacon (AD length runs past the end)', IBEACON.slice(0, -6), 'AD structure at byte 3 says 26 bytes but only 24 remain (truncated frame)'],
    ['an iBeacon with the wrong length byte', '1A FF 4C 00 02 16 E2C56DB5DFFB48D2B060D0F5A71096E0 0001 000C C5', 'iBeacon length byte is 0x16, the spec says 0x15'],
    ['Apple data that is not an iBeacon', '06 FF 4C 00 10 02 0B 00', 'Apple manufacturer data of type 0x10, not an iBeacon (0x02)'],
    ['a short iBeacon whose AD length agrees', '0A FF 4C 00 02 15 E2 C5 6D B5 DF', 'iBeacon frame truncated: 5 of 21 bytes after the length byte'],
    ['an Eddystone-URL frame', '0C 16 AA FE 10 EB 03 67 6F 6F 2E 67 6C', 'Eddystone-URL frame, not Eddystone-UID'],
    ['an Eddystone-TLM frame', '11 16 AA FE 20 00 0B B8 17 00 00 00 00 01 00 00 00 02', 'Eddystone-TLM frame, not Eddystone-UID'],
    ['a truncated Eddystone-UID', '0A 16 AA FE 00 EC ED D1 EB EA C0', 'Eddystone-UID frame truncated: 7 of 18 bytes'],
    ['an advertisement with only a name', '02 01 06 05 09 44 6F 6F 72', 'neither an iBeacon nor an Eddystone-UID frame (AD types present: 0x01, 0x09)'],
    ['another company\'s manufacturer data', '05 FF 59 00 02 15', 'neither an iBeacon nor an Eddystone-UID frame (AD types present: 0xFF)'],
    ['random bytes', 'DE AD BE EF', 'AD structure at byte 0 says 222 bytes but only 3 remain (truncated frame)'],
  ])('refuses %s with a reason', (_name, payload, reason) => {
    expect(parseBeaconAdvertisement(hex(payload))).toEqual({ ok: false, reason });
  });

  it('refuses an empty payload', () => {
    expect(parseBeaconAdvertisement(new Uint8Array())).toEqual({ ok: false, reason: 'empty advertisement' });
  });
});
