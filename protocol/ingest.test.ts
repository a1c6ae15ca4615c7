// classifyBatch with each unknownTypes policy: a relay keeps a valid event of a type it does not know, the final
// receiver refuses it, and every other check applies to it alike.
import { describe, expect, it } from 'vitest';
import { classifyBatch } from './ingest';
import type { Caller } from './store';

const hub: Caller = { keyId: 'k1', tenantId: 'venue', venueId: 'ven_1', deviceId: 'kiosk_1', deviceKind: 'kiosk' };
const future = (over: Record<string, unknown> = {}) => ({
  event_id: '0b7e3c2a-5d4f-4e6a-9b8c-7d6e5f4a3b2c', type: 'table.cleaned', occurred_at: '2026-11-27T21:02:11.500Z',
  venue_id: 'ven_1', device_id: 'kiosk_1', payload: { table_id: 't7', nested: { any: ['shape'] } }, ...over,
});
const heartbeat = {
  event_id: '7d3f8a8e-2b1c-4d5e-8f90-1a2b3c4d5e6f', type: 'device.heartbeat', occurred_at: '2026-11-27T21:02:11.500Z', venue_id: 'ven_1', device_id: 'kiosk_1',
  payload: { app_version: '1.0.0', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 3, scanner_ok: null, clock_skew_ms: null },
};

describe('classifyBatch and types the receiver does not know', () => {
  it("relays one as it came under 'relay', beside the known events", () => {
    const sorted = classifyBatch(hub, [heartbeat, future()], new Set(), 'relay');
    expect(sorted.accepted).toEqual([heartbeat]);
    expect(sorted.relayed).toEqual([future()]);
    expect(sorted.rejected).toEqual([]);
  });

  it("refuses it as unknown_type under 'reject'", () => {
    const sorted = classifyBatch(hub, [heartbeat, future()], new Set(), 'reject');
    expect(sorted.accepted).toEqual([heartbeat]);
    expect(sorted.relayed).toEqual([]);
    expect(sorted.rejected).toMatchObject([{ index: 1, reason: 'unknown_type', detail: 'unknown event type "table.cleaned"' }]);
  });

  it('keeps every other check for a relayed type: envelope, size, venue, device, one copy per batch', () => {
    const sorted = classifyBatch(hub, [
      future({ event_id: 'not-a-uuid' }),
      future({ extra: 1 }),
      future({ payload: { blob: 'x'.repeat(40_000) } }),
      future({ venue_id: 'ven_2' }),
      future({ device_id: 'kiosk_2' }),
      future({ type: '' }),
      future({ event_id: '0B7E3C2A-5D4F-4E6A-9B8C-7D6E5F4A3B2C' }),
      future(),
    ], new Set(), 'relay');
    expect(sorted.rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, 'invalid_event'], [1, 'invalid_event'], [2, 'event_too_large'], [3, 'venue_mismatch'], [4, 'device_mismatch'], [5, 'invalid_event'],
    ]);
    // The upper-case id is the same event as the lower-case one after it: kept once, in one spelling.
    expect(sorted.relayed).toEqual([future()]);
    expect(sorted.duplicatesInBatch).toBe(1);
  });

  it('still checks the payload of a type it knows, under either policy', () => {
    const bad = { ...heartbeat, payload: { ...heartbeat.payload, outbox_depth: -1 } };
    for (const policy of ['relay', 'reject'] as const) {
      expect(classifyBatch(hub, [bad], new Set(), policy).rejected, policy).toMatchObject([{ index: 0, reason: 'invalid_payload' }]);
    }
  });
});
