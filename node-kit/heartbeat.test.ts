import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkEvent } from '../core/contract/validate';
import { APP_VERSION, buildHeartbeat } from './heartbeat';

const outbox = { depth: () => 3, oldestUnsentSeconds: (now?: number) => ((now ?? 0) - 1_000) / 1000 };

describe('heartbeat builder', () => {
  it('reports the version package.json gives, one for every tier', () => {
    expect(APP_VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  it('builds a valid heartbeat for a hub (no scanner, no kiosk fields) and for a kiosk', () => {
    const hub = buildHeartbeat({ venueId: 'v1', deviceId: 'hub1', nowMs: 61_000, outbox, guestListVersion: 7, scannerOk: null, clockSkewMs: null, upstreamError: null });
    expect(checkEvent(hub).ok).toBe(true);
    expect(hub.payload).toEqual({ app_version: APP_VERSION, outbox_depth: 3, oldest_unsent_s: 60, guest_list_version: 7, scanner_ok: null, clock_skew_ms: null, upstream_error: null });
    const kiosk = buildHeartbeat({
      venueId: 'v1', deviceId: 'k1', nowMs: 61_000, outbox, guestListVersion: 7, scannerOk: null, clockSkewMs: 2_500, upstreamError: 'x'.repeat(400), lastScanSeconds: 12.345, clockCorrected: true,
    });
    expect(checkEvent(kiosk).ok).toBe(true);
    expect(kiosk.payload).toMatchObject({ last_scan_s: 12.3, clock_corrected: true, clock_skew_ms: 2_500 });
    expect((kiosk.payload as { upstream_error: string }).upstream_error).toHaveLength(300);
    expect(kiosk.occurred_at).toBe('1970-01-01T00:01:01.000Z');
  });
});
