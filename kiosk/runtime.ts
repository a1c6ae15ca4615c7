// Everything the kiosk runs in its main process, opened from the config: the SQLite store, the check-in core, the
// screens' service, and the push of scans and status. Electron main and browser mode both start from here.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { CheckinService } from './checkin-service';
import { parseKioskAppConfig, type KioskAppConfig } from './app-config';
import type { KioskEvents, KioskStatus } from './ipc/channels';
import { openStore } from './store/open';
import { KioskSync } from './sync-runtime';
import { KioskUiService, type ScannerReport } from './ui-service';

export interface KioskRuntime {
  service: KioskUiService;
  core: CheckinService;
  onScan(listener: (scan: KioskEvents['scan']) => void): () => void;
  onStatus(listener: (status: KioskStatus) => void): () => void;
  /** Hardware adapters call this with each read; it reaches every renderer as a `scan` event. */
  pushScan(scan: KioskEvents['scan']): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Default: a keyboard-wedge scanner typing into the page, which cannot be seen from main and counts as present. */
  scanners?: () => ScannerReport;
  /** How often status is re-read and pushed when it changed. */
  statusEveryMs?: number;
}

const HUB_SILENT_MS = 10_000;
const KEYBOARD_WEDGE: ScannerReport = { state: 'ok', devices: [{ device: 'keyboard', state: 'ok', detail: null }] };

export function openRuntimeFromConfig(config: KioskAppConfig, baseDir: string, opts: RuntimeOptions = {}): KioskRuntime {
  const file = isAbsolute(config.database) ? config.database : join(baseDir, config.database);
  const { db } = openStore(file);
  const core = new CheckinService(db, config.kiosk);
  const scanners = opts.scanners ?? (() => KEYBOARD_WEDGE);
  const sync = config.hub
    ? new KioskSync(core, { agent: { baseUrl: config.hub.base_url, keyId: config.hub.key_id, secret: config.hub.secret }, scannerOk: () => scanners().state === 'ok' })
    : null;
  const service = new KioskUiService(db, core, {
    venueName: config.ui.venue_name,
    language: config.ui.language,
    staffPin: config.ui.staff_pin,
    resultMs: Math.round((config.ui.result_seconds ?? 6) * 1000),
    scannerMaxGapMs: config.ui.scanner_max_gap_ms ?? 50,
    scanners,
    // Online: the hub answered a pull recently (the pull runs every second).
    ...(sync ? { hubOnline: () => sync.pull.status.lastError === null && Date.now() - (sync.pull.status.lastSuccessAt ?? 0) < HUB_SILENT_MS } : {}),
    afterRecord: () => sync?.kick(),
  });
  sync?.start();
  const scanListeners = new Set<(scan: KioskEvents['scan']) => void>();
  const statusListeners = new Set<(status: KioskStatus) => void>();
  let lastStatus = '';
  const timer = setInterval(() => {
    void service.status().then((s) => {
      // Only changes travel: the outbox depth or a scanner coming and going, not a tick every few seconds.
      const key = JSON.stringify(s);
      if (key === lastStatus) return;
      lastStatus = key;
      for (const l of statusListeners) l(s);
    });
  }, opts.statusEveryMs ?? 3000);
  timer.unref?.();
  return {
    service,
    core,
    onScan: (l) => (scanListeners.add(l), () => void scanListeners.delete(l)),
    onStatus: (l) => (statusListeners.add(l), () => void statusListeners.delete(l)),
    pushScan: (scan) => {
      for (const l of scanListeners) l(scan);
    },
    close: async () => {
      clearInterval(timer);
      await sync?.stop();
      db.close();
    },
  };
}

/** Reads and checks the config file; errors name the file and the field. */
export async function openKioskRuntime(configPath: string, opts: RuntimeOptions = {}): Promise<KioskRuntime> {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the kiosk config ${configPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, and the staff PIN lives in this file: say only where to look.
    throw new Error(`the kiosk config ${configPath} is not valid JSON`);
  }
  return openRuntimeFromConfig(parseKioskAppConfig(raw, configPath), dirname(configPath), opts);
}
