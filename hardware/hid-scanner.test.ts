// HidScanner over the simulated HID bus: device selection, decoding by role, and recovery from unplugging.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceConfig } from './config';
import { HidScanner } from './hid-scanner';
import type { ScanEvent, Scanner } from './scanner';
import { parseRecording, ScriptedScanner, SimulatedHidBackend } from './simulated';

const UP = [0, 0, 0, 0, 0, 0, 0, 0];
const key = (mod: number, usage: number) => [mod, 0, usage, 0, 0, 0, 0, 0];
/** Digits 1–9 are usages 0x1E–0x26, 0 is 0x27 (HID Usage Tables, keyboard page). */
const digitUsage = (d: string) => (d === '0' ? 0x27 : 0x1e + Number(d) - 1);
const typeDigits = (digits: string) => [...digits].flatMap((d) => [key(0, digitUsage(d)), UP]).concat([key(0, 0x28), UP]);

const SCANNER = { path: '/dev/hidraw3', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x01, usage: 0x06, product: 'Voyager 1400g' };
const KEYBOARD = { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, usagePage: 0x01, usage: 0x06, product: 'USB Keyboard' };

const started: Scanner[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function startScanner(config: DeviceConfig, backend: SimulatedHidBackend, now?: () => number): Promise<{ scanner: HidScanner; scans: ScanEvent[] }> {
  const scanner = new HidScanner(config, backend, 500, now);
  const scans: ScanEvent[] = [];
  scanner.onScan((s) => scans.push(s));
  started.push(scanner);
  await scanner.start();
  return { scanner, scans };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

describe('HidScanner', () => {
  it('opens the configured device by vendor/product id, not the keyboard beside it, and decodes its layout', async () => {
    const backend = new SimulatedHidBackend([KEYBOARD, SCANNER]);
    const { scanner, scans } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: '0x0c2e', productId: '0B8F', layout: 'es' }, backend);
    expect(scanner.status().connected).toBe(true);
    // Typing on the real keyboard reaches nobody.
    expect(backend.send(KEYBOARD.path, key(0, 0x04))).toBe(false);
    // ES: Shift+7 is "/", AltGr+3 is "#".
    for (const r of [key(0x02, 0x24), UP, key(0x40, 0x20), UP, key(0, 0x1e), UP, key(0, 0x28), UP]) backend.send(SCANNER.path, r);
    expect(scans.map(({ kind, value, device }) => ({ kind, value, device }))).toEqual([{ kind: 'barcode', value: '/#1', device: 'door-1' }]);
    expect(scanner.status().lastScanAt).toBe(scans[0]?.at);
  });

  it('picks the HID POS interface by usage page and reports the symbology', async () => {
    const pos = { ...SCANNER, path: '/dev/hidraw4', usagePage: 0x8c, usage: 0x02 };
    const backend = new SimulatedHidBackend([SCANNER, pos]);
    const { scans } = await startScanner({ name: 'pos', role: 'pos-scanner', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: '0x8c' }, backend);
    const report = new Array<number>(64).fill(0);
    report.splice(0, 8, 0x02, 3, 0x5d, 0x45, 0x30, 0x41, 0x42, 0x43); // ID 2, 3 bytes, "]E0", "ABC"
    expect(backend.send(SCANNER.path, report)).toBe(false);
    expect(backend.send(pos.path, report)).toBe(true);
    expect(scans.map(({ value, symbology }) => ({ value, symbology }))).toEqual([{ value: 'ABC', symbology: ']E0' }]);
  });

  it('turns a reader typing a 10-digit decimal UID into the canonical UID', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scanner, scans } = await startScanner({ name: 'nfc', role: 'nfc-keyboard', vendorId: 0x0c2e, productId: 0x0b8f }, backend);
    for (const r of typeDigits('2451528419')) backend.send(SCANNER.path, r);
    expect(scans.map((s) => [s.kind, s.value])).toEqual([['nfc', 'E35A1F92']]);
    // Something that is not a UID: an error in the status, without the characters themselves.
    for (const r of typeDigits('123')) backend.send(SCANNER.path, r);
    expect(scans).toHaveLength(1);
    expect(scanner.status().lastError).toBe('NFC reader sent 3 typed characters that are not a card UID');
  });

  it('reports a raw-UID reader\'s card once while it lies on the reader', async () => {
    let clock = 1_000_000;
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scans } = await startScanner({ name: 'nfc', role: 'nfc-raw', vendorId: 0x0c2e, productId: 0x0b8f, uidForm: 'hex-reversed' }, backend, () => clock);
    const report = [0x04, 0x92, 0x1f, 0x5a, 0xe3, 0, 0, 0]; // length 4, UID bytes last-to-first
    for (let i = 0; i < 5; i++) {
      backend.send(SCANNER.path, report);
      clock += 300;
    }
    clock += 5000; // card taken away and tapped again
    backend.send(SCANNER.path, report);
    expect(scans.map((s) => s.value)).toEqual(['E35A1F92', 'E35A1F92']);
  });

  it('strips the report ID of a keyboard interface with numbered reports and ignores its other reports', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scans } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f, reportId: 1 }, backend);
    backend.send(SCANNER.path, [0x01, 0, 0, 0x05, 0, 0, 0, 0, 0]); // ID 1: b
    backend.send(SCANNER.path, [0x03, 0xe9, 0x00]); // ID 3: a consumer-control report, not keys
    backend.send(SCANNER.path, [0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
    backend.send(SCANNER.path, [0x01, 0, 0, 0x28, 0, 0, 0, 0, 0]); // Enter
    expect(scans.map((s) => s.value)).toEqual(['b']);
  });

  it('counts a malformed report as an error and stays connected', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scanner } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f }, backend);
    backend.send(SCANNER.path, [0, 0, 4]);
    expect(scanner.status()).toMatchObject({ connected: true, errorCount: 1, lastError: 'a keyboard report is 8 bytes, got 3' });
  });

  it('comes back within 2 s of a replug, scans flow again and the status shows the gap', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scanner, scans } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f }, backend);
    for (const r of typeDigits('11')) backend.send(SCANNER.path, r);
    expect(scans.map((s) => s.value)).toEqual(['11']);

    backend.unplug(SCANNER.path);
    await waitFor(() => !scanner.status().connected, 2000);
    const away = scanner.status();
    expect(away).toMatchObject({ connected: false, lastError: 'read error: could not read from HID device', reconnects: 0 });
    expect(away.gaps).toEqual([{ from: away.disconnectedAt, to: null }]);
    expect(backend.send(SCANNER.path, key(0, 0x1f))).toBe(false);

    const pluggedAt = Date.now();
    backend.plug(SCANNER.path);
    // Keep scanning, as a guest would, until one gets through.
    const back = await waitFor(() => {
      for (const r of typeDigits('22')) backend.send(SCANNER.path, r);
      return scans.length === 2;
    }, 2000);
    expect(back).toBe(true);
    expect(Date.now() - pluggedAt).toBeLessThanOrEqual(2000);
    expect(scans.map((s) => s.value)).toEqual(['11', '22']);
    const again = scanner.status();
    expect(again.connected).toBe(true);
    expect(again.reconnects).toBe(1);
    expect(again.gaps).toHaveLength(1);
    expect(again.gaps[0]?.to).toBe(again.connectedAt);
    expect(again.gaps[0]?.to).toBeGreaterThanOrEqual(again.gaps[0]?.from ?? Infinity);
  });

  it('notices a device that vanished from the bus without a read error', async () => {
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scanner } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f }, backend);
    backend.unplug(SCANNER.path, { silent: true });
    expect(await waitFor(() => !scanner.status().connected, 2000)).toBe(true);
    expect(scanner.status().lastError).toBe('device unplugged');
  });

  it('waits for a device that is not plugged in at start, then opens it', async () => {
    const backend = new SimulatedHidBackend([KEYBOARD]);
    const { scanner, scans } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f }, backend);
    expect(scanner.status()).toMatchObject({ connected: false, lastError: '0c2e:0b8f is not plugged in' });
    backend.add(SCANNER);
    expect(await waitFor(() => scanner.status().connected, 2000)).toBe(true);
    for (const r of typeDigits('7')) backend.send(SCANNER.path, r);
    expect(scans.map((s) => s.value)).toEqual(['7']);
  });

  it('decodes a recorded report stream replayed with its timing', async () => {
    const recording = parseRecording(readFileSync(new URL('./testdata/es-scanner-ticket.hid', import.meta.url), 'utf8'));
    if (!recording.ok) throw new Error(recording.reason);
    const backend = new SimulatedHidBackend([SCANNER]);
    const { scans } = await startScanner({ name: 'door-1', role: 'keyboard-scanner', vendorId: 0x0c2e, productId: 0x0b8f, layout: 'es' }, backend);
    expect(await backend.replay(SCANNER.path, recording.reports)).toBe(recording.reports.length);
    expect(scans.map((s) => s.value)).toEqual(['TK-2026/#A7z']);
  });
});

describe('parseRecording', () => {
  it('refuses a bad line and names it', () => {
    expect(parseRecording('00 00 04 00 00 00 00 00\n+5 00 0G')).toEqual({ ok: false, line: 2, reason: '"0G" is not hex' });
    expect(parseRecording('# only a comment\n')).toEqual({ ok: false, line: 0, reason: 'the recording has no reports' });
  });
});

describe('ScriptedScanner', () => {
  it('plays a script, loses scans while unplugged and records the gap', async () => {
    const s = new ScriptedScanner('demo');
    const scans: ScanEvent[] = [];
    s.onScan((e) => scans.push(e));
    started.push(s);
    await s.start();
    await s.play([{ afterMs: 5, kind: 'barcode', value: 'TK-1' }, { afterMs: 5, kind: 'nfc', value: '046F8A32B56C80' }]);
    s.setPlugged(false);
    expect(s.scan('barcode', 'TK-2')).toBe(false);
    expect(s.status()).toMatchObject({ connected: false, lastError: 'device unplugged' });
    s.setPlugged(true);
    expect(s.scan('barcode', 'TK-3')).toBe(true);
    expect(scans.map((e) => `${e.kind}:${e.value}`)).toEqual(['barcode:TK-1', 'nfc:046F8A32B56C80', 'barcode:TK-3']);
    const st = s.status();
    expect(st.reconnects).toBe(1);
    expect(st.gaps).toHaveLength(1);
    expect(st.gaps[0]?.to).not.toBeNull();
  });
});
