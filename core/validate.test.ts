import { describe, expect, it } from 'vitest';
import { checkBatch, checkEvent, checkSyncResponse } from './validate';

const ok = {
  event_id: '7d3f8a8e-2b1c-4d5e-8f90-1a2b3c4d5e6f',
  type: 'checkin.succeeded',
  occurred_at: '2026-11-27T20:15:03.123Z',
  venue_id: 'ven_1',
  device_id: 'dev_1',
  payload: {
    guest_id: 'g1', credential_kind: 'barcode', door_id: 'door-a', direction: 'entry', table_id: 't12', party_size: 2,
    offline: false, latency_ms: 0.8, stages: { parse_ms: 0.01, lookup_ms: 0.1, persist_ms: 0.6, total_ms: 0.8 },
  },
};

describe('checkEvent', () => {
  it('accepts a valid event of each kind it knows', () => {
    expect(checkEvent(ok)).toMatchObject({ ok: true });
    expect(checkEvent({ ...ok, type: 'checkin.rejected', payload: { reason: 'revoked', credential_kind: 'nfc', door_id: 'd', latency_ms: 1 } })).toMatchObject({ ok: true });
    expect(checkEvent({ ...ok, type: 'seat.arrived', payload: { guest_id: 'g', table_id: 't', source: 'tablet', checked_in_at: '2026-11-27T20:15:03Z' } })).toMatchObject({ ok: true });
  });
  it('names what is wrong', () => {
    expect(checkEvent({ ...ok, type: 'checkin.teleported' })).toEqual({ ok: false, reason: 'unknown_type', detail: 'unknown event type "checkin.teleported"' });
    const { guest_id: _g, ...noGuest } = ok.payload;
    expect(checkEvent({ ...ok, payload: noGuest })).toEqual({ ok: false, reason: 'invalid_payload', detail: '/payload is missing required field "guest_id"' });
    expect(checkEvent({ ...ok, payload: { ...ok.payload, party_size: 0 } })).toEqual({ ok: false, reason: 'invalid_payload', detail: '/payload/party_size must be >= 1' });
    expect(checkEvent({ ...ok, event_id: 'nope' })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(checkEvent('a string')).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(checkEvent({ ...ok, payload: { ...ok.payload, guest_id: 'x'.repeat(40_000) } })).toMatchObject({ ok: false, reason: 'event_too_large' });
  });
});

describe('checkBatch', () => {
  const batch = { batch_id: '7d3f8a8e-2b1c-4d5e-8f90-1a2b3c4d5e6f', sent_at: '2026-11-27T20:15:03Z', events: [ok] };
  it('checks the envelope only', () => {
    expect(checkBatch(batch)).toMatchObject({ ok: true });
    expect(checkBatch({ ...batch, events: [] })).toMatchObject({ ok: false });
    expect(checkBatch({ ...batch, events: Array(501).fill(ok) })).toMatchObject({ ok: false });
    expect(checkBatch({ ...batch, extra: 1 })).toMatchObject({ ok: false });
  });
});

describe('checkSyncResponse', () => {
  it('accepts each change kind and refuses unknown ones', () => {
    const page = {
      cursor: 'c1', has_more: false, changes: [
        { kind: 'guest', version: 1, guest: { id: 'g1', occasion_id: 'o1', name: 'José Núñez', party_size: 2, table_id: 't1', status: 'active', valid_from: null, valid_to: null, credentials: [{ kind: 'barcode', value: 'ABC-1' }] } },
        { kind: 'tombstone', version: 2, entity: 'guest', id: 'g1' },
      ],
    };
    expect(checkSyncResponse(page)).toMatchObject({ ok: true });
    expect(checkSyncResponse({ ...page, changes: [{ kind: 'party', version: 1 }] })).toMatchObject({ ok: false });
  });
});

describe('unstorable strings', () => {
  it('refuses NUL and lone surrogates but not a literal backslash-u text', () => {
    const withPayload = (guest_id: string) => ({ ...ok, payload: { ...ok.payload, guest_id } });
    expect(checkEvent(withPayload('a\u0000b'))).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(checkEvent(withPayload('a\ud800b'))).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(checkEvent(withPayload('a\\u0000b'))).toMatchObject({ ok: true });
    expect(checkEvent(withPayload('emoji 😀 ok'))).toMatchObject({ ok: true });
  });
});
