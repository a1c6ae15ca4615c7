// guest.added and seat.changed at either receiver: the venue hub's desk decides walk-ins and moves (VenueDesk), so only
// the hub's key sends them, for its own device id. A door or a gateway (kiosk → hub, or straight to the cloud) is
// refused per event, and so is one the hub would relay for a door; the rest of the batch is taken.
import { describe, expect, it } from 'vitest';
import { VENUE_DECISION_REFUSED, classifyBatch } from './ingest';
import type { Caller } from './store';
import { checkinEvent } from '../tests/signed';

let n = 0;
const envelope = (type: string, deviceId: string, payload: Record<string, unknown>) => ({
  event_id: `0190f0c2-1a2b-7c3d-8e4f-${String(++n).padStart(12, '0')}`, type, occurred_at: '2026-12-01T20:00:00.000Z', venue_id: 'ven_1', device_id: deviceId, payload,
});
const walkIn = (deviceId: string) => envelope('guest.added', deviceId, { guest_id: 'w-1', name: 'Walk In', party_size: 2, table_id: 't1', door_id: 'door-a', by_role: 'supervisor' });
const move = (deviceId: string) => envelope('seat.changed', deviceId, { guest_id: 'g1', from_table_id: 't1', to_table_id: 't2', source: 'hub', by_role: 'supervisor' });
const checkin = (deviceId: string) => checkinEvent({ venue_id: 'ven_1', device_id: deviceId });
const caller = (deviceKind: Caller['deviceKind'], deviceId: string): Caller => ({ keyId: 'k', tenantId: 't', venueId: 'ven_1', deviceId, deviceKind });

describe('walk-ins and moves, and who may send them', () => {
  it.each([
    ['a door', caller('kiosk', 'kiosk_1'), 'kiosk_1'],
    ['a beacon gateway', caller('gateway', 'gw_1'), 'gw_1'],
    ['the hub relaying them for a door', caller('agent', 'hub_1'), 'kiosk_1'],
  ])('refuses them from %s, each with a reason staff can read, and takes the rest of the batch', (_what, from, deviceId) => {
    for (const policy of ['relay', 'reject'] as const) {
      const sorted = classifyBatch(from, [walkIn(deviceId), checkin(deviceId), move(deviceId)], new Set(['kiosk_1']), policy);
      expect(sorted.rejected).toMatchObject([
        { index: 0, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED },
        { index: 2, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED },
      ]);
      expect(sorted.accepted.map((e) => e.type)).toEqual(['checkin.succeeded']);
      expect(sorted.relayed).toEqual([]);
    }
  });

  it('takes them from the hub for its own device', () => {
    const sorted = classifyBatch(caller('agent', 'hub_1'), [walkIn('hub_1'), move('hub_1')], new Set(), 'reject');
    expect(sorted.rejected).toEqual([]);
    expect(sorted.accepted.map((e) => e.type)).toEqual(['guest.added', 'seat.changed']);
  });
});
