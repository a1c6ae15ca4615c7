// Everything the kiosk runs in its main process, opened from the config: the SQLite store, the check-in service, the
// screens' service, the scanners, the hub sync, and the push of scans and status. Electron main and browser mode both
// start from here.
import { readJsonFile } from '../node-kit/config-file';
import { dirname, isAbsolute, join } from 'node:path';
import { nodeHidBackend } from '../hardware/hid-backend';
import type { DeviceStatus } from '../hardware/scanner';
import { ScannerSet } from '../hardware/scanner-set';
import { parseKioskAppConfig, pinAdvice, type KioskAppConfig } from './app-config';
import { CheckinService } from './checkin-service';
import type { KioskEvents, KioskStatus, ScannerState } from './ipc/channels';
import { processFaults } from '../node-kit/fault-log';
import { openKioskStore } from './kiosk-store';
import type { RuntimeStore } from '../venue-store/runtime-store';
import { KioskSync } from './sync-runtime';
import { KioskUiService, staffHub, type ScannerReport } from './ui-service';

export interface KioskRuntime {
  service: KioskUiService;
  /** The check-in service: decide and record scans from this kiosk's SQLite (kiosk/checkin-service.ts). */
  checkinService: CheckinService;
  store: RuntimeStore;
  onScan(listener: (scan: KioskEvents['scan']) => void): () => void;
  onStatus(listener: (status: KioskStatus) => void): () => void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** The scanners to read (tests and the demo pass simulated ones); default: from the config's `hardware`, if any. */
  scanners?: ScannerSet;
  /** How often status is re-read (outbox depth, hub) and pushed when it changed. */
  statusEveryMs?: number;
  /** The start-up integrity check's time bound. */
  integrityTimeoutMs?: number;
}

const HUB_SILENT_MS = 10_000;
const KEYBOARD_WEDGE: ScannerReport = { state: 'ok', devices: [{ device: 'keyboard', state: 'ok', detail: null }] };

function deviceState(s: DeviceStatus): ScannerState {
  return s.connected ? 'ok' : s.lastError ? 'error' : 'missing';
}

/** The kiosk can scan while any one reader works; staff still see each device. */
export function scannerReport(statuses: DeviceStatus[]): ScannerReport {
  const devices = statuses.map((s) => ({ device: s.device, state: deviceState(s), detail: s.connected ? null : (s.lastError ?? 'not connected') }));
  const state: ScannerState = devices.some((d) => d.state === 'ok') ? 'ok' : devices.some((d) => d.state === 'error') ? 'error' : 'missing';
  return { state, devices };
}

export async function openRuntimeFromConfig(config: KioskAppConfig, baseDir: string, opts: RuntimeOptions = {}): Promise<KioskRuntime> {
  const file = isAbsolute(config.database) ? config.database : join(baseDir, config.database);
  let onHealth = () => {};
  const fault = (kind: string, message: string) => processFaults.report(kind, message);
  const store = await openKioskStore(file, {
    onFault: fault,
    onHealthChange: () => onHealth(),
    ...(opts.integrityTimeoutMs !== undefined ? { integrityTimeoutMs: opts.integrityTimeoutMs } : {}),
  });
  const { db } = store;
  const checkinService = new CheckinService(db, config.kiosk);
  const set = opts.scanners ?? (config.hardware ? ScannerSet.fromConfig(config.hardware, nodeHidBackend()) : null);
  const scanners = set ? () => scannerReport(set.statuses()) : () => KEYBOARD_WEDGE;
  const sync = config.hub
    ? new KioskSync(checkinService, {
        agent: { baseUrl: config.hub.base_url, keyId: config.hub.key_id, secret: config.hub.secret },
        // HID devices report themselves; a keyboard-wedge scanner cannot be asked (the heartbeat's last_scan_s instead).
        scannerOk: () => (set ? set.allConnected() : null),
        onStoreError: (e) => store.health.report(e),
        faults: fault,
      })
    : null;
  const service = new KioskUiService(db, checkinService, {
    venueName: config.ui.venue_name,
    language: config.ui.language,
    staffPin: config.ui.staff_pin,
    ...(config.ui.supervisor_pin ? { supervisorPin: config.ui.supervisor_pin } : {}),
    resultMs: Math.round((config.ui.result_seconds ?? 6) * 1000),
    scannerMaxGapMs: config.ui.scanner_max_gap_ms ?? 50,
    keyboardScanner: set === null,
    findMyTable: config.ui.find_my_table ?? true,
    scanners,
    // Online: the hub answered a pull recently (the pull runs every second) and neither push nor pull is failing.
    ...(sync ? { hubOnline: () => sync.lastError() === null && Date.now() - (sync.pull.status.lastSuccessAt ?? 0) < HUB_SILENT_MS } : {}),
    ...(sync ? { hub: staffHub(sync.http), hubError: () => sync.lastError() } : {}),
    afterRecord: () => sync?.kick(),
    storeHealth: store.health,
    rebuilt: store.rebuilt,
  });

  const scanListeners = new Set<(scan: KioskEvents['scan']) => void>();
  const statusListeners = new Set<(status: KioskStatus) => void>();
  let lastStatus = '';
  const pushStatus = () =>
    void service
      .status()
      .then((s) => {
        // Only changes travel: a scanner coming and going, the outbox draining; not a tick every few seconds.
        const key = JSON.stringify(s);
        if (key === lastStatus) return;
        lastStatus = key;
        for (const l of statusListeners) l(s);
      })
      .catch((e: unknown) => fault('status', (e as Error).message));
  // A store fault or its end reaches the screen at once, not at the next poll.
  onHealth = pushStatus;
  const timer = setInterval(pushStatus, opts.statusEveryMs ?? 3000);
  timer.unref?.();
  if (set) {
    set.onScan((scan) => {
      for (const l of scanListeners) l({ kind: scan.kind, value: scan.value, device: scan.device });
    });
    // A scanner unplugged puts the door out of order at once, not at the next poll.
    set.onStatus(pushStatus);
    await set.start();
  }
  sync?.start();
  return {
    service,
    checkinService,
    store,
    onScan: (l) => (scanListeners.add(l), () => void scanListeners.delete(l)),
    onStatus: (l) => (statusListeners.add(l), () => void statusListeners.delete(l)),
    close: async () => {
      clearInterval(timer);
      await set?.stop();
      await sync?.stop();
      await store.close();
    },
  };
}

/** Reads and checks the config file; errors name the file and the field. */
export async function openKioskRuntime(configPath: string, opts: RuntimeOptions = {}): Promise<KioskRuntime> {
  // The staff PIN and the hub key live in this file: readJsonFile never quotes it.
  const raw = readJsonFile(configPath, 'kiosk config');
  const config = parseKioskAppConfig(raw, configPath);
  for (const { advice } of pinAdvice(config.ui)) console.warn(`seatpilot kiosk: ${configPath}: ${advice}`);
  return openRuntimeFromConfig(config, dirname(configPath), opts);
}
