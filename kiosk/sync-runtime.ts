// The kiosk's link to its venue hub: pushes its outbox to the agent, pulls the guest list and other doors'
// check-ins from it, and sends a heartbeat. The scan path never waits on any of this.
import { buildHeartbeat } from '../node-kit/heartbeat';
import { processFaults } from '../node-kit/fault-log';
import { SignedHttp, type Upstream } from '../protocol/http-client';
import { PullClient } from '../protocol/pull-client';
import { PushClient } from '../protocol/push-client';
import type { SyncResponseV2 } from '../core/contract/contract';
import type { CheckinService } from './checkin-service';


export interface KioskSyncOptions {
  agent: Upstream;
  pushIntervalMs?: number;
  pullIntervalMs?: number;
  heartbeatIntervalS?: number;
  /**
   * Whether the scanners work, for the heartbeat: a HID kiosk knows its devices; default null (a keyboard-wedge scanner
   * types like a keyboard and cannot be asked; its heartbeat says how long ago the last scan arrived instead).
   */
  scannerOk?: () => boolean | null;
  now?: () => number;
  /** A write to the kiosk's own store failed inside a loop (a full disk, a damaged file): the store's health hears it. */
  onStoreError?: (error: unknown) => void;
  /** Loop faults, counted and logged at most once a minute per kind (default: the process's, on stderr). */
  faults?: (kind: string, message: string) => void;
}

export class KioskSync {
  readonly http: SignedHttp;
  readonly push: PushClient;
  readonly pull: PullClient<SyncResponseV2>;
  private beat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly service: CheckinService, private readonly opts: KioskSyncOptions) {
    const now = opts.now ?? Date.now;
    // Each answer from the hub measures this clock against the venue's; beyond ±2 s the check-ins run on the venue's.
    this.http = new SignedHttp(opts.agent, { now, timeoutMs: 5_000, onSkew: (ms) => service.setClockSkew(ms) });
    const fault = opts.faults ?? ((kind: string, message: string) => processFaults.report(kind, message));
    this.push = new PushClient(service.outbox, this.http, {
      intervalMs: opts.pushIntervalMs ?? 1_000,
      backoffMaxMs: 5_000,
      now,
      onError: (message, kind) => {
        if (kind === 'local_store') opts.onStoreError?.(new Error(message));
        else service.setHubOnline(false);
        fault(`push ${kind}`, message);
      },
    });
    this.pull = new PullClient<SyncResponseV2>(this.http, { cursor: () => service.syncState().cursor ?? undefined, apply: (page) => service.applySyncPage(page) }, {
      // Other doors' reverted check-ins reach this door only when it says it applies them (a hub ignores what it does not know).
      features: ['checkin_reverts'],
      intervalMs: opts.pullIntervalMs ?? 1_000,
      backoffMaxMs: 5_000,
      now,
      onError: (message, kind, error) => {
        if (kind === 'local_store') opts.onStoreError?.(error ?? new Error(message));
        else service.setHubOnline(false);
        fault(`pull ${kind}`, message);
      },
    });
    this.fault = fault;
  }

  private readonly fault: (kind: string, message: string) => void;

  start(): void {
    this.push.start();
    this.pull.start();
    // The first heartbeat carries a measured skew: it waits for the hub's first answer (the pull's, at once). With the
    // hub unreachable, the next beat goes out with clock_skew_ms null.
    void this.http.skewMeasured().then(() => {
      if (!this.stopped) this.beatSafely();
    });
    this.beat = setInterval(() => this.beatSafely(), (this.opts.heartbeatIntervalS ?? 60) * 1000);
    this.beat.unref();
  }

  /** A heartbeat that cannot be written (a full disk) is reported and tried again at the next beat. */
  private beatSafely(): void {
    try {
      this.heartbeat();
    } catch (e) {
      this.opts.onStoreError?.(e);
      this.fault('heartbeat', (e as Error).message);
    }
  }

  /** The last push or pull fault, for the screens' status (null while both work). */
  lastError(): string | null {
    return this.push.status.lastError ?? this.pull.status.lastError;
  }

  /** Call after a scan was recorded: the event goes to the hub right away. */
  kick(): void {
    this.push.kick();
  }

  heartbeat(): void {
    const device = (this.opts.now ?? Date.now)();
    // The venue's time when the check-ins run on it: the queue's ages are reckoned on the clock its rows were stamped on.
    const corrected = this.service.clockCorrected();
    const now = corrected && this.http.skewMs !== null ? device - this.http.skewMs : device;
    const cfg = this.service.config;
    const event = buildHeartbeat({
      venueId: cfg.venue_id,
      deviceId: cfg.device_id,
      nowMs: now,
      outbox: this.service.outbox,
      guestListVersion: this.service.syncState().version,
      scannerOk: this.opts.scannerOk?.() ?? null,
      clockSkewMs: this.http.skewMs,
      upstreamError: this.lastError(),
      lastScanSeconds: this.service.lastScanAgeSeconds(),
      clockCorrected: corrected,
    });
    this.service.outbox.append(event, now);
    this.push.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.beat) clearInterval(this.beat);
    await this.push.stop();
    await this.pull.stop();
  }
}
