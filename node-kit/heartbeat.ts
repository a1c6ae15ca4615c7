// The one `device.heartbeat` builder, for the kiosk and the hub alike, and the one version they report (package.json's).
import pkg from '../package.json' with { type: 'json' };
import type { DeviceHeartbeatPayload, SeatPilotEvent } from '../core/contract/contract';
import { newEventId } from '../core/contract/event-id';
import type { Outbox } from '../core/contract/outbox';

/** The build's version, as every heartbeat and `--version` report it. */
export const APP_VERSION: string = pkg.version;

export interface HeartbeatInput {
  venueId: string;
  deviceId: string;
  /** The time the heartbeat is stamped with (ms): a kiosk that corrects its clock passes the corrected one. */
  nowMs: number;
  outbox: Pick<Outbox, 'depth' | 'oldestUnsentSeconds'>;
  guestListVersion: number;
  /** What the device knows of its scanners: null where nothing can tell (the hub, a keyboard wedge). */
  scannerOk: boolean | null;
  /** Device minus receiver (ms), null before the first exchange. */
  clockSkewMs: number | null;
  /** The last push or pull fault towards the next tier, null while both work. */
  upstreamError: string | null;
  /** Kiosks only. */
  lastScanSeconds?: number | null;
  clockCorrected?: boolean;
}

export function buildHeartbeat(h: HeartbeatInput): SeatPilotEvent {
  const payload: DeviceHeartbeatPayload = {
    app_version: APP_VERSION,
    outbox_depth: h.outbox.depth(),
    oldest_unsent_s: h.outbox.oldestUnsentSeconds(h.nowMs),
    guest_list_version: h.guestListVersion,
    scanner_ok: h.scannerOk,
    clock_skew_ms: h.clockSkewMs,
    upstream_error: h.upstreamError?.slice(0, 300) ?? null,
    ...(h.lastScanSeconds !== undefined ? { last_scan_s: h.lastScanSeconds === null ? null : Math.round(h.lastScanSeconds * 10) / 10 } : {}),
    ...(h.clockCorrected !== undefined ? { clock_corrected: h.clockCorrected } : {}),
  };
  return { event_id: newEventId(), type: 'device.heartbeat', occurred_at: new Date(h.nowMs).toISOString(), venue_id: h.venueId, device_id: h.deviceId, payload };
}
