// `seatpilot hw …`: scanners, NFC readers and beacons for venue IT — list devices, watch scans, decode what a device sent.
import { readFileSync } from 'node:fs';
import { CliError, parseOptions, printJson } from '../node-kit/cli';
import { decodeKeyboardReports, isKeyboardLayout } from '../core/decoders/hid-keyboard';
import { canonicalNfcUid, isNfcUidForm, NFC_UID_FORMS } from '../core/decoders/nfc-uid';
import { parseBeaconAdvertisement } from '../core/decoders/ble-beacon';
import { parseHex } from '../core/signing/hex';
import { checkHardwareConfig, loadHardwareConfig, type DeviceConfig, type HardwareConfig } from './config';
import { describeDevices, formatDeviceRows } from './device-list';
import { nodeHidBackend } from './hid-backend';
import { HidScanner } from './hid-scanner';
import type { DeviceStatus } from './scanner';
import { ScannerSet } from './scanner-set';
import { parseRecording, SimulatedHidBackend } from './simulated';

const USAGE = `usage: seatpilot hw list [--config FILE] [--json]
       seatpilot hw listen --config FILE [--for SECONDS]
       seatpilot hw listen --replay FILE [--role keyboard-scanner|nfc-keyboard|pos-scanner|nfc-raw] [--layout us|es] [--uid-form FORM]
       seatpilot hw decode [--layout us|es] HEX…      one 8-byte keyboard report per argument
       seatpilot hw nfc [--form ${NFC_UID_FORMS.join('|')}] RAW
       seatpilot hw beacon HEX                         BLE advertising data (AD structures) as hex

listen prints one JSON line per scan on stdout and device status changes on stderr.`;

function loadConfig(path: string | undefined): HardwareConfig | null {
  if (path === undefined) return null;
  const loaded = loadHardwareConfig(path);
  if (!loaded.ok) throw new CliError(`bad hardware config: ${loaded.reason}`, 1);
  return loaded.config;
}

function statusLine(s: DeviceStatus): string {
  if (s.connected) return `${s.device}: connected${s.reconnects > 0 ? ` (reconnected ${s.reconnects}×)` : ''}`;
  return `${s.device}: not connected${s.lastError ? ` — ${s.lastError}` : ''}`;
}

/** Run scanners until a signal, the time limit, or `until` resolves; print scans and status changes. */
async function listen(set: ScannerSet, seconds: number | null, until: Promise<void> | null): Promise<void> {
  const lastLine = new Map<string, string>();
  const show = (status: DeviceStatus) => {
    const line = statusLine(status);
    if (lastLine.get(status.device) !== line) console.error(line);
    lastLine.set(status.device, line);
  };
  set.onScan((scan) => console.log(JSON.stringify(scan)));
  set.onStatus(show);
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (seconds !== null) setTimeout(resolve, seconds * 1000).unref();
  });
  await set.start();
  set.statuses().forEach(show);
  await Promise.race(until ? [stopped, until] : [stopped]);
  await set.stop();
}

function parseSeconds(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new CliError(`--for must be a number of seconds between 0 and 86400, got "${v}"`, 1);
  return n;
}

async function listenCommand(rest: string[]): Promise<void> {
  const { values } = parseOptions(rest, { config: { type: 'string' }, replay: { type: 'string' }, role: { type: 'string' }, layout: { type: 'string' }, 'uid-form': { type: 'string' }, for: { type: 'string' } }, USAGE);
  const seconds = parseSeconds(values.for);
  if (values.replay !== undefined) {
    // A recording played through the very decoder and scanner a real device uses, on a simulated bus.
    let text: string;
    try {
      text = readFileSync(values.replay, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${values.replay}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
    }
    const recording = parseRecording(text);
    if (!recording.ok) throw new CliError(`${values.replay}${recording.line ? ` line ${recording.line}` : ''}: ${recording.reason}`, 1);
    const device: DeviceConfig = { name: 'replay', role: (values.role ?? 'keyboard-scanner') as DeviceConfig['role'], vendorId: 0, productId: 0 };
    if (values.layout !== undefined) device.layout = values.layout as DeviceConfig['layout'];
    if (values['uid-form'] !== undefined) device.uidForm = values['uid-form'] as DeviceConfig['uidForm'];
    const checked = checkHardwareConfig({ devices: [device] });
    if (!checked.ok) throw new CliError(`bad option: ${checked.reason.replace('/devices/0/', '--').replace('uidForm', 'uid-form')}`, 1);
    const backend = new SimulatedHidBackend([{ path: 'replay', vendorId: 0, productId: 0 }]);
    const scanner = new HidScanner(device, backend);
    const done = (async () => {
      while (!scanner.status().connected) await new Promise((r) => setTimeout(r, 10));
      await backend.replay('replay', recording.reports);
    })();
    await listen(new ScannerSet([scanner]), seconds, done);
    return;
  }
  const config = loadConfig(values.config);
  if (!config) throw new CliError(`nothing to listen to: pass --config FILE naming the devices (see "seatpilot hw list"), or --replay FILE\n${USAGE}`, 2);
  if (config.devices.length === 0) throw new CliError(`${values.config} configures no devices`, 1);
  await listen(ScannerSet.fromConfig(config, nodeHidBackend()), seconds, null);
}

function decodeCommand(rest: string[]): void {
  const { values, positionals } = parseOptions(rest, { layout: { type: 'string', default: 'us' } }, USAGE);
  const layout = values.layout as string;
  if (!isKeyboardLayout(layout)) throw new CliError(`--layout must be us or es, got "${layout}"`, 1);
  if (positionals.length === 0) throw new CliError(`give the reports to decode, one 8-byte report per argument\n${USAGE}`, 2);
  const reports = positionals.map((arg, i) => {
    const parsed = parseHex(arg);
    if (!parsed.ok) throw new CliError(`report ${i + 1} ("${arg.slice(0, 40)}"): ${parsed.reason}`, 1);
    return parsed.bytes;
  });
  const result = decodeKeyboardReports(reports, layout);
  if (!result.ok) throw new CliError(`report ${result.index + 1} ("${positionals[result.index]?.slice(0, 40)}"): ${result.reason}`, 1);
  for (const scan of result.scans) console.log(scan);
  if (result.pending !== '') {
    console.log(result.pending);
    console.error('(the last line was not ended by Enter or Tab)');
  }
  if (result.scans.length === 0 && result.pending === '') console.error('(the reports type no characters)');
}

function nfcCommand(rest: string[]): void {
  const { values, positionals } = parseOptions(rest, { form: { type: 'string', default: 'auto' } }, USAGE);
  const form = values.form as string;
  if (!isNfcUidForm(form)) throw new CliError(`--form must be one of ${NFC_UID_FORMS.join(', ')}, got "${form}"`, 1);
  if (positionals.length === 0) throw new CliError(`give the UID as the reader delivered it\n${USAGE}`, 2);
  // A UID typed with spaces may arrive as several arguments.
  const result = canonicalNfcUid(positionals.join(' '), form);
  if (!result.ok) throw new CliError(`not a card UID: ${result.reason}`, 1);
  console.log(result.uid);
}

function beaconCommand(rest: string[]): void {
  const { positionals } = parseOptions(rest, {}, USAGE);
  if (positionals.length === 0) throw new CliError(`give the advertising data as hex\n${USAGE}`, 2);
  const parsed = parseHex(positionals.join(' '));
  if (!parsed.ok) throw new CliError(`not hex: ${parsed.reason}`, 1);
  const result = parseBeaconAdvertisement(parsed.bytes);
  if (!result.ok) throw new CliError(`not a beacon advertisement: ${result.reason}`, 1);
  printJson(result.beacon);
}

async function listCommand(rest: string[]): Promise<void> {
  const { values } = parseOptions(rest, { config: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
  const config = loadConfig(values.config);
  let devices;
  try {
    devices = await nodeHidBackend().devices();
  } catch (e) {
    throw new CliError(`cannot list HID devices: ${(e as Error).message}`, 1);
  }
  const rows = describeDevices(devices, config);
  if (values.json) printJson(rows);
  else console.log(formatDeviceRows(rows));
}

export async function hwCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return listCommand(rest);
    case 'listen':
      return listenCommand(rest);
    case 'decode':
      return decodeCommand(rest);
    case 'nfc':
      return nfcCommand(rest);
    case 'beacon':
      return beaconCommand(rest);
    default:
      throw new CliError(`${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}\n${USAGE}`, 2);
  }
}
