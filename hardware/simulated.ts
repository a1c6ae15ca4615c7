// Simulated devices for tests and the demo, behind the same interfaces as real ones:
// - SimulatedHidBackend: an in-memory HID bus (plug, unplug, send report bytes, replay a recording) under HidScanner;
// - ScriptedScanner: a Scanner that plays a script of scans, with a plug/unplug toggle, for the kiosk demo.
import { parseHex } from '../core/signing/hex';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid-backend';
import { ScannerBase, type ScanKind } from './scanner';

interface OpenHandle {
  path: string;
  data: Set<(report: Uint8Array) => void>;
  error: Set<(error: Error) => void>;
  closed: boolean;
}

export class SimulatedHidBackend implements HidBackend {
  private readonly plugged = new Map<string, HidDeviceInfo>();
  private readonly known = new Map<string, HidDeviceInfo>();
  private readonly handles = new Set<OpenHandle>();
  private readonly denied = new Set<string>();

  constructor(devices: HidDeviceInfo[] = []) {
    for (const d of devices) this.add(d);
  }

  add(info: HidDeviceInfo): void {
    this.known.set(info.path, info);
    this.plugged.set(info.path, info);
  }

  async devices(): Promise<HidDeviceInfo[]> {
    return [...this.plugged.values()].map((d) => ({ ...d }));
  }

  /** Make opening fail as it does without permission on the hidraw node (the missing-udev-rule case). */
  denyOpen(path: string, denied = true): void {
    if (denied) this.denied.add(path);
    else this.denied.delete(path);
  }

  async open(path: string): Promise<HidHandle> {
    if (!this.plugged.has(path) || this.denied.has(path)) throw new Error(`cannot open device with path ${path}`);
    const h: OpenHandle = { path, data: new Set(), error: new Set(), closed: false };
    this.handles.add(h);
    return {
      onData: (l) => void h.data.add(l),
      onError: (l) => void h.error.add(l),
      close: async () => {
        h.closed = true;
        this.handles.delete(h);
      },
    };
  }

  /**
   * Pull the cable: the device leaves the list and open handles get node-hid's read error. `silent` leaves out the
   * error, as when the OS drops the device between reads: only polling the bus notices.
   */
  unplug(path: string, options: { silent?: boolean } = {}): void {
    this.plugged.delete(path);
    if (options.silent) return;
    for (const h of [...this.handles]) {
      if (h.path !== path) continue;
      for (const l of h.error) l(new Error('could not read from HID device'));
    }
  }

  /** Plug it back in (same path, as hidraw usually gives). */
  plug(path: string): void {
    const info = this.known.get(path);
    if (!info) throw new Error(`unknown simulated device ${path}`);
    this.plugged.set(path, info);
  }

  /** Deliver one input report to whoever has the device open. Returns false when nobody received it. */
  send(path: string, report: ArrayLike<number>): boolean {
    if (!this.plugged.has(path)) return false;
    let delivered = false;
    for (const h of this.handles) {
      if (h.path !== path || h.closed) continue;
      for (const l of h.data) l(Uint8Array.from(report));
      delivered = true;
    }
    return delivered;
  }

  /** Play recorded reports with their delays. */
  async replay(path: string, recording: RecordedReport[], sleep: (ms: number) => Promise<void> = delay): Promise<number> {
    let delivered = 0;
    for (const r of recording) {
      if (r.delayMs > 0) await sleep(r.delayMs);
      if (this.send(path, r.bytes)) delivered += 1;
    }
    return delivered;
  }
}

export interface RecordedReport {
  delayMs: number;
  bytes: Uint8Array;
}

/**
 * A recording: one report per line as hex, optionally preceded by `+MS` (wait before sending it); `#` starts a
 * comment. This is what `hw listen --record` would write and what venue IT can paste from `hidraw` dumps.
 */
export function parseRecording(text: string): { ok: true; reports: RecordedReport[] } | { ok: false; line: number; reason: string } {
  const reports: RecordedReport[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/#.*/, '').trim();
    if (line === '') continue;
    const m = /^\+(\d{1,6})\s+(.*)$/.exec(line);
    const parsed = parseHex(m ? (m[2] as string) : line);
    if (!parsed.ok) return { ok: false, line: i + 1, reason: parsed.reason };
    reports.push({ delayMs: m ? Number(m[1]) : 0, bytes: parsed.bytes });
  }
  if (reports.length === 0) return { ok: false, line: 0, reason: 'the recording has no reports' };
  return { ok: true, reports };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ScriptStep {
  afterMs: number;
  kind: ScanKind;
  value: string;
}

/** A scanner that types what it is told: the kiosk demo's door, and tests of anything above the Scanner interface. */
export class ScriptedScanner extends ScannerBase {
  private running = false;
  private plugged = true;
  private timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(device: string, now: () => number = Date.now) {
    super(device, now);
  }

  async start(): Promise<void> {
    this.running = true;
    if (this.plugged) this.markConnected();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.markDisconnected(null);
  }

  /** A scan happens now; lost (as in life) while unplugged or stopped. Returns whether it was delivered. */
  scan(kind: ScanKind, value: string): boolean {
    if (!this.running || !this.plugged) return false;
    this.emitScan(kind, value);
    return true;
  }

  /** Schedule a script of scans; resolves when the last step has run. */
  play(steps: ScriptStep[]): Promise<void> {
    return new Promise((resolve) => {
      let at = 0;
      if (steps.length === 0) return resolve();
      steps.forEach((step, i) => {
        at += step.afterMs;
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.scan(step.kind, step.value);
          if (i === steps.length - 1) resolve();
        }, at);
        this.timers.add(t);
      });
    });
  }

  /** The plug/unplug toggle. */
  setPlugged(plugged: boolean): void {
    if (plugged === this.plugged) return;
    this.plugged = plugged;
    if (!this.running) return;
    if (plugged) this.markConnected();
    else this.markDisconnected('device unplugged');
  }
}
