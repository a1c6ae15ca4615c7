// `seatpilot hw …` as venue IT runs it: the real bin/seatpilot.mjs in a child process, on this machine's (empty) HID bus.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seatpilot-hw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/seatpilot.mjs', 'hw', ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function writeConfig(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

// The ticket code TK-2026/#A7z as US boot keyboard reports (press, release), from the HID keyboard page.
const US_TICKET = ['02001700', '02000e00', '00002d00', '00001f00', '00002700', '00001f00', '00002300', '00003800', '02002000', '02000400', '00002400', '00001d00', '00002800']
  .flatMap((press) => [`${press}00000000`, '0000000000000000']);

describe('seatpilot hw', () => {
  it('lists no devices cleanly on a machine without HID devices', async () => {
    expect(await hw('list')).toEqual({ code: 0, stdout: 'No HID devices found.\n', stderr: '' });
    const json = await hw('list', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('lists a configured device that is not plugged in', async () => {
    const config = writeConfig('door.json', { devices: [{ name: 'door-1', role: 'keyboard-scanner', vendorId: '0x0c2e', productId: '0x0b8f', layout: 'es' }] });
    const r = await hw('list', '--config', config);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0c2e:0b8f');
    expect(r.stdout).toContain('configured as door-1 (keyboard-scanner, es), NOT PLUGGED IN');
  });

  it('refuses a bad config naming the field', async () => {
    const config = writeConfig('bad.json', { devices: [{ name: 'door-1', role: 'keyboard-scanner', vendorId: '0xZZ', productId: 1 }] });
    const r = await hw('list', '--config', config);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad hardware config');
    expect(r.stderr).toContain('/devices/0/vendorId');
  });

  it('decodes keyboard reports with the US and the Spanish layout', async () => {
    expect(await hw('decode', '--layout', 'us', ...US_TICKET)).toMatchObject({ code: 0, stdout: 'TK-2026/#A7z\n' });
    // ES: Shift+7 types "/", AltGr+3 types "#", the key right of the period types "-".
    const es = ['02 00 24 00 00 00 00 00', '00 00 00 00 00 00 00 00', '40 00 20 00 00 00 00 00', '00 00 00 00 00 00 00 00', '00:00:38:00:00:00:00:00', '00 00 28 00 00 00 00 00'];
    expect(await hw('decode', '--layout', 'es', ...es)).toMatchObject({ code: 0, stdout: '/#-\n' });
  });

  it('refuses bad reports and layouts with exit code 1 and a message', async () => {
    const short = await hw('decode', '--layout', 'us', '0000000000000000', '00 00 04');
    expect(short).toMatchObject({ code: 1, stdout: '' });
    expect(short.stderr).toContain('report 2 ("00 00 04"): a keyboard report is 8 bytes, got 3');
    const notHex = await hw('decode', 'GG00000000000000');
    expect(notHex.code).toBe(1);
    expect(notHex.stderr).toContain('is not hex');
    const layout = await hw('decode', '--layout', 'fr', '0000000000000000');
    expect(layout.code).toBe(1);
    expect(layout.stderr).toContain('--layout must be us or es');
  });

  it('gives one canonical UID for every form a reader types', async () => {
    const forms = await Promise.all([hw('nfc', 'e3:5a:1f:92'), hw('nfc', '2451528419'), hw('nfc', '--form', 'hex-reversed', '92 1F 5A E3')]);
    expect(forms.map((r) => [r.code, r.stdout])).toEqual([[0, 'E35A1F92\n'], [0, 'E35A1F92\n'], [0, 'E35A1F92\n']]);
    const bad = await hw('nfc', '4294967296');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a card UID: 4294967296 is larger than a 4-byte UID can be');
  });

  it('prints a parsed beacon advertisement as JSON and refuses anything else', async () => {
    const ibeacon = await hw('beacon', '0201061AFF4C000215E2C56DB5DFFB48D2B060D0F5A71096E00001000CC5');
    expect(ibeacon.code).toBe(0);
    expect(JSON.parse(ibeacon.stdout)).toEqual({ format: 'ibeacon', uuid: 'E2C56DB5-DFFB-48D2-B060-D0F5A71096E0', major: 1, minor: 12, measuredPower: -59 });
    const eddystone = await hw('beacon', '0201060303AAFE1716AAFE00ECEDD1EBEAC04E5DEFA0170BDB87539B670000');
    expect(JSON.parse(eddystone.stdout)).toEqual({ format: 'eddystone-uid', txPower: -20, namespace: 'EDD1EBEAC04E5DEFA017', instance: '0BDB87539B67' });
    const url = await hw('beacon', '0C16AAFE10EB03676F6F2E676C');
    expect(url).toMatchObject({ code: 1, stdout: '' });
    expect(url.stderr).toContain('not a beacon advertisement: Eddystone-URL frame, not Eddystone-UID');
    const garbage = await hw('beacon', 'hello');
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain('not hex');
  });

  it('listen replays a recording through the scanner and prints each scan as a JSON line', async () => {
    const r = await hw('listen', '--replay', 'hardware/testdata/es-scanner-ticket.hid', '--layout', 'es');
    expect(r.code).toBe(0);
    const scans = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; value: string; device: string });
    expect(scans.map(({ kind, value, device }) => ({ kind, value, device }))).toEqual([{ kind: 'barcode', value: 'TK-2026/#A7z', device: 'replay' }]);
  });

  it('listen on the real bus says the configured scanner is not plugged in, and stops after --for', async () => {
    const config = writeConfig('listen.json', { devices: [{ name: 'door-1', role: 'pos-scanner', vendorId: 3118, productId: 2959, usagePage: '0x8c' }] });
    const r = await hw('listen', '--config', config, '--for', '1');
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain('door-1: not connected — 0c2e:0b8f is not plugged in');
  });

  it('exits 2 with the usage for an unknown subcommand or a listen with nothing to listen to', async () => {
    const unknown = await hw('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "frobnicate"');
    expect(unknown.stderr).toContain('usage: seatpilot hw list');
    const nothing = await hw('listen');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to listen to');
  });
});
