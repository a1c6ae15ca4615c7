// audit.entry at either receiver: only the hub's key sends it, for its own device id. A door (kiosk → hub, or straight
// to the cloud) or a beacon gateway is refused per event, and so is an entry the hub would relay for a door.
import { describe, expect, it } from 'vitest';
import { AUDIT_ENTRY_REFUSED, classifyBatch } from './ingest';
import type { Caller } from './store';

const entry = (deviceId: string) => ({
  event_id: '0190f0c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f', type: 'audit.entry', occurred_at: '2026-12-01T20:00:00.000Z', venue_id: 'ven_1', device_id: deviceId,
  payload: {
    seq: 1, at: '2026-12-01T20:00:00.000Z', device_id: 'kiosk_1', actor: 'kiosk_1', role: 'device', action: 'checkin.succeeded', entity: 'guest',
    entity_id: 'g1', before: null, after: { guest_id: 'g1' }, prev_hash: '0'.repeat(64), hash: 'b'.repeat(64),
  },
});
const caller = (deviceKind: Caller['deviceKind'], deviceId: string): Caller => ({ keyId: 'k', tenantId: 't', venueId: 'ven_1', deviceId, deviceKind });

describe('audit.entry and who may send it', () => {
  it.each([
    ['a door at the hub', caller('kiosk', 'kiosk_1'), 'kiosk_1'],
    ['a beacon gateway at the hub', caller('gateway', 'gw_1'), 'gw_1'],
    ['the hub relaying it for a door', caller('agent', 'hub_1'), 'kiosk_1'],
  ])('refuses it from %s, with a reason staff can read', (_what, from, deviceId) => {
    for (const policy of ['relay', 'reject'] as const) {
      const sorted = classifyBatch(from, [entry(deviceId)], new Set(['kiosk_1']), policy);
      expect(sorted.accepted).toEqual([]);
      expect(sorted.relayed).toEqual([]);
      expect(sorted.rejected).toMatchObject([{ index: 0, reason: 'invalid_event', detail: AUDIT_ENTRY_REFUSED }]);
    }
  });

  it('takes it from the hub for its own device', () => {
    const sorted = classifyBatch(caller('agent', 'hub_1'), [entry('hub_1')], new Set(), 'reject');
    expect(sorted.rejected).toEqual([]);
    expect(sorted.accepted).toHaveLength(1);
  });
});
