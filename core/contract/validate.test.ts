import { describe, expect, it } from 'vitest';
import { LIMITS } from './contract';
import { checkBatch, checkEvent, checkIngestResult, checkSyncResponse, deadLetterJson, isStorableDateTime, nestsDeeperThan } from './validate';

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
    // Only the 36-character hyphenated form, which every store (PostgreSQL's uuid included) takes as is.
    for (const id of [`urn:uuid:${ok.event_id}`, `{${ok.event_id}}`, ok.event_id.replace(/-/g, ''), ` ${ok.event_id}`]) {
      expect(checkEvent({ ...ok, event_id: id }), id).toEqual({ ok: false, reason: 'invalid_event', detail: '/event_id must match format "uuid"' });
    }
    expect(checkEvent({ ...ok, event_id: ok.event_id.toUpperCase() })).toMatchObject({ ok: true });
    expect(checkEvent({ ...ok, payload: { ...ok.payload, guest_id: 'x'.repeat(40_000) } })).toMatchObject({ ok: false, reason: 'event_too_large' });
  });
});

describe('the per-event size limit counts UTF-8 bytes of the event\'s JSON', () => {
  const bytes = (e: unknown) => new TextEncoder().encode(JSON.stringify(e)).byteLength;
  const filled = (fill: number, extra = '') => {
    const base = bytes({ ...ok, payload: { ...ok.payload, guest_id: '' } });
    const f = fill - base;
    return { ...ok, payload: { ...ok.payload, guest_id: 'é'.repeat(Math.floor(f / 2)) + 'x'.repeat(f % 2) + extra } };
  };
  it('lets an event of exactly the limit through to the schema check, and refuses one byte more, with two-byte characters', () => {
    const max = LIMITS.maxEventBytes;
    expect(bytes(filled(max))).toBe(max);
    // No field of a valid event is this long (ids stop at 128): at the limit the payload schema answers, not the size.
    expect(checkEvent(filled(max))).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(checkEvent(filled(max, 'x'))).toEqual({ ok: false, reason: 'event_too_large', detail: `event is ${max + 1} bytes, the limit is ${max}` });
  });
  it('checks a small limit exactly too', () => {
    expect(checkEvent(ok, bytes(ok))).toMatchObject({ ok: true });
    expect(checkEvent(ok, bytes(ok) - 1)).toMatchObject({ ok: false, reason: 'event_too_large' });
  });
});

describe('date-time: RFC 3339 within what timestamptz stores', () => {
  it.each([
    '2026-11-27T20:15:03.123Z', '2026-11-27t20:15:03z', '2026-11-27T20:15:03+02:00', '2026-11-27T20:15:03-15:59', '2028-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z',
  ])('takes %s', (at) => {
    expect(isStorableDateTime(at)).toBe(true);
    expect(checkEvent({ ...ok, occurred_at: at })).toMatchObject({ ok: true });
  });
  it.each([
    '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '2026-01-01T00:00:00+23:59', '2027-02-29T00:00:00Z', '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:00', '2026-01-01',
    '2026-01-01T00:00:00+0200', '+12026-01-01T00:00:00Z', '2026-06-30T23:59:60Z', '2026-06-30T23:59:60.999Z',
  ])('refuses %s', (at) => {
    expect(isStorableDateTime(at)).toBe(false);
    expect(checkEvent({ ...ok, occurred_at: at })).toEqual({ ok: false, reason: 'invalid_event', detail: '/occurred_at must match format "date-time"' });
  });
});

describe('checkBatch', () => {
  const batch = { batch_id: '7d3f8a8e-2b1c-4d5e-8f90-1a2b3c4d5e6f', sent_at: '2026-11-27T20:15:03Z', events: [ok] };
  it('checks the envelope only', () => {
    expect(checkBatch(batch)).toMatchObject({ ok: true });
    expect(checkBatch({ ...batch, events: [] })).toMatchObject({ ok: false });
    expect(checkBatch({ ...batch, events: Array(501).fill(ok) })).toMatchObject({ ok: false });
    expect(checkBatch({ ...batch, extra: 1 })).toMatchObject({ ok: false });
    expect(checkBatch({ ...batch, batch_id: `urn:uuid:${batch.batch_id}` })).toMatchObject({ ok: false });
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

describe('the edges a receiver and a sender must hold', () => {
  const nest = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { v };
    return v;
  };

  it('measures nesting without recursion, arrays and objects alike', () => {
    expect(nestsDeeperThan(nest(32), 32)).toBe(false);
    expect(nestsDeeperThan(nest(33), 32)).toBe(true);
    expect(nestsDeeperThan(nest(100_000), 32)).toBe(true); // far beyond any call stack
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('refuses a deeply nested event by itself, and the dead letter keeps its envelope', () => {
    const deep = { ...ok, payload: { ...(ok.payload as object), extra: nest(50_000) } };
    expect(checkEvent(deep)).toEqual({ ok: false, reason: 'invalid_event', detail: 'the event nests deeper than 32 levels' });
    expect(JSON.parse(deadLetterJson(deep))).toEqual({ event_id: ok.event_id, type: ok.type, occurred_at: ok.occurred_at, venue_id: ok.venue_id, device_id: ok.device_id, truncated: 'nested deeper than 32 levels' });
    expect(deadLetterJson(ok)).toBe(JSON.stringify(ok));
  });

  it('hands out the event id in lower case, whatever case it came in', () => {
    const r = checkEvent({ ...ok, event_id: ok.event_id.toUpperCase() });
    expect(r.ok && r.event.event_id).toBe(ok.event_id);
  });

  it('trusts an ingest answer only when every rejected index names a distinct event sent', () => {
    const rej = (index: number) => ({ index, event_id: null, reason: 'invalid_event', detail: 'x' });
    expect(checkIngestResult({ accepted: 2, duplicates: 0, rejected: [rej(2)] }, 3)).toMatchObject({ ok: true });
    expect(checkIngestResult({ accepted: 2, duplicates: 0, rejected: [rej(3)] }, 3)).toEqual({ ok: false, detail: 'rejected[].index 3 is outside the batch of 3' });
    expect(checkIngestResult({ accepted: 1, duplicates: 0, rejected: [rej(1), rej(1)] }, 3)).toEqual({ ok: false, detail: 'rejected[].index 1 appears twice' });
    expect(checkIngestResult({ accepted: 5, duplicates: 0, rejected: [] }, 3)).toEqual({ ok: false, detail: 'it counts 5 results for a batch of 3' });
    expect(checkIngestResult('<html>', 3)).toEqual({ ok: false, detail: '/ must be object' });
  });
});
