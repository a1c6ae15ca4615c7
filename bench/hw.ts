// Hardware adapter figures: keyboard-report decoding throughput and time from replug to the first scan getting through.
// `npm run bench:hw` prints one JSON line. Baselines from the same run: a loop that only touches the report bytes, and
// the time to the first scan on a device that never left.
import { readFileSync } from 'node:fs';
import { KeyboardReportDecoder } from '../core/decoders/hid-keyboard';
import { HidScanner, DEFAULT_POLL_MS } from '../hardware/hid-scanner';
import { parseRecording, SimulatedHidBackend } from '../hardware/simulated';

const recording = parseRecording(readFileSync(new URL('../hardware/testdata/es-scanner-ticket.hid', import.meta.url), 'utf8'));
if (!recording.ok) throw new Error(recording.reason);
const reports = recording.reports.map((r) => r.bytes);
const ROUNDS = 20_000;

function decodeRun(): { reportsPerS: number; scans: number } {
  const d = new KeyboardReportDecoder('es');
  let scans = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) for (const r of reports) {
    const out = d.push(r);
    if (out.ok) scans += out.scans.length;
  }
  const s = (performance.now() - t0) / 1000;
  return { reportsPerS: Math.round((ROUNDS * reports.length) / s), scans };
}

function baselineRun(): number {
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) for (const r of reports) for (let j = 0; j < r.length; j++) sum += r[j] as number;
  const s = (performance.now() - t0) / 1000;
  if (sum < 0) console.error(sum);
  return Math.round((ROUNDS * reports.length) / s);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const DEVICE = { path: '/dev/hidraw9', vendorId: 0x0c2e, productId: 0x0b8f };
const ONE = [[0, 0, 0x1e, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x28, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]];

/** ms from `start` until a scan typed every 5 ms gets through. */
async function msToFirstScan(backend: SimulatedHidBackend, scanner: HidScanner): Promise<number> {
  let got = false;
  const off = scanner.onScan(() => {
    got = true;
  });
  const t0 = performance.now();
  while (!got) {
    for (const r of ONE) backend.send(DEVICE.path, r);
    if (!got) await sleep(5);
  }
  off();
  return performance.now() - t0;
}

async function reconnectRun(cycles: number): Promise<{ replugMs: number[]; steadyMs: number[] }> {
  const backend = new SimulatedHidBackend([DEVICE]);
  const scanner = new HidScanner({ name: 'bench', role: 'keyboard-scanner', vendorId: DEVICE.vendorId, productId: DEVICE.productId }, backend, DEFAULT_POLL_MS);
  await scanner.start();
  const replugMs: number[] = [];
  const steadyMs: number[] = [];
  for (let i = 0; i < cycles; i++) {
    steadyMs.push(await msToFirstScan(backend, scanner));
    backend.unplug(DEVICE.path);
    // Vary where in the poll period the replug lands.
    await sleep(100 + ((i * 137) % DEFAULT_POLL_MS));
    backend.plug(DEVICE.path);
    replugMs.push(await msToFirstScan(backend, scanner));
  }
  await scanner.stop();
  return { replugMs, steadyMs };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
};

decodeRun(); // warm-up
const decode = decodeRun();
const baseline = baselineRun();
const { replugMs, steadyMs } = await reconnectRun(12);
console.log(JSON.stringify({
  bench: 'hw',
  decode_reports_per_s: decode.reportsPerS,
  baseline_touch_bytes_reports_per_s: baseline,
  decode_scans_checked: decode.scans === ROUNDS,
  poll_ms: DEFAULT_POLL_MS,
  replug_to_scan_ms_p50: pct(replugMs, 50),
  replug_to_scan_ms_max: Math.round(Math.max(...replugMs)),
  baseline_connected_first_scan_ms_max: Math.round(Math.max(...steadyMs)),
  reconnect_within_2s: Math.max(...replugMs) <= 2000,
  cycles: replugMs.length,
}));
