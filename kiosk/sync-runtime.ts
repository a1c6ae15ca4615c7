// The kiosk's link to its venue hub: pushes its outbox to the agent, pulls the guest list and other doors'
// check-ins from it, and sends a heartbeat. The scan path never waits on any of this.
import { newEventId } from '../core/event-id';
import type { SeatPilotEvent } from '../core/contract';
import { SignedHttp, type Upstream } from '../protocol/http-client';
import { PullClient } from '../protocol/pull-client';
import { PushClient } from '../protocol/push-client';
import type { CheckinService } from './checkin-service';

export const KIOSK_APP_VERSION = '0.1.0';

export interface KioskSyncOptions {
  agent: Upstream;
  pushIntervalMs?: number;
  pullIntervalMs?: number;
  heartbeatIntervalS?: number;
  /** Whether the scanner is working, for the heartbeat. */
  scannerOk?: () => boolean;
  now?: () => number;
}

export class KioskSync {
  readonly http: SignedHttp;
  readonly push: PushClient;
  readonly pull: PullClient;
  private beat: NodeJS.Timeout | null = null;

  constructor(private readonly service: CheckinService, private readonly opts: KioskSyncOptions) {
    const now = opts.now ?? Date.now;
    this.http = new SignedHttp(opts.agent, { now, timeoutMs: 5_000 });
    this.push = new PushClient(service.outbox, this.http, {
      intervalMs: opts.pushIntervalMs ?? 1_000,
      backoffMaxMs: 5_000,
      now,
      onError: () => service.setHubOnline(false),
    });
    this.pull = new PullClient(this.http, { cursor: () => service.syncState().cursor ?? undefined, apply: (page) => service.applySyncPage(page) }, {
      intervalMs: opts.pullIntervalMs ?? 1_000,
      now,
      onError: () => service.setHubOnline(false),
    });
  }

  start(): void {
    this.heartbeat();
    this.push.start();
    this.pull.start();
    this.beat = setInterval(() => this.heartbeat(), (this.opts.heartbeatIntervalS ?? 60) * 1000);
    this.beat.unref();
  }

  /** Call after a scan was recorded: the event goes to the hub right away. */
  kick(): void {
    this.push.kick();
  }

  heartbeat(): void {
    const now = (this.opts.now ?? Date.now)();
    const cfg = this.service.config;
    const event: SeatPilotEvent = {
      event_id: newEventId(),
      type: 'device.heartbeat',
      occurred_at: new Date(now).toISOString(),
      venue_id: cfg.venue_id,
      device_id: cfg.device_id,
      payload: {
        app_version: KIOSK_APP_VERSION,
        outbox_depth: this.service.outbox.depth(),
        oldest_unsent_s: this.service.outbox.oldestUnsentSeconds(now),
        guest_list_version: this.service.syncState().version,
        scanner_ok: this.opts.scannerOk?.() ?? true,
        clock_skew_ms: this.http.offsetMs,
      },
    };
    this.service.outbox.append(event, now);
    this.push.kick();
  }

  async stop(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    await this.push.stop();
    await this.pull.stop();
  }
}
