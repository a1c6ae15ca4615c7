// The venue-side event types of SYSTEM.md (checkin.reverted, guest.added, seat.changed): what the contract takes and refuses.
import { describe, expect, it } from 'vitest';
import { checkEvent } from './validate';

const envelope = {
  event_id: '0b7e3c2a-5d4f-4e6a-9b8c-7d6e5f4a3b2c',
  occurred_at: '2026-11-27T21:02:11.500Z',
  venue_id: 'ven_1',
  device_id: 'kiosk_1',
};

const valid = {
  'checkin.reverted': { guest_id: 'g1', reverted_event_id: '7d3f8a8e-2b1c-4d5e-8f90-1a2b3c4d5e6f', door_id: 'door-a', by_role: 'supervisor', reason: 'scanned the wrong ticket' },
  'guest.added': { guest_id: 'walkin_8f2c', name: 'Ana Ruiz', party_size: 3, table_id: 't7', door_id: 'door-b', by_role: 'steward' },
  'seat.changed': { guest_id: 'g1', from_table_id: 't7', to_table_id: 't9', source: 'hub', by_role: 'supervisor' },
} as const;

type Type = keyof typeof valid;
const event = (type: Type, payload: Record<string, unknown>) => ({ ...envelope, type, payload });
const check = (type: Type, changes: Record<string, unknown>) => checkEvent(event(type, { ...valid[type], ...changes }));
const without = (type: Type, field: string) => {
  const { [field]: _gone, ...rest } = valid[type] as Record<string, unknown>;
  return checkEvent(event(type, rest));
};

describe('checkin.reverted, guest.added and seat.changed', () => {
  it('accepts a valid event of each, and every role SYSTEM.md names', () => {
    for (const type of Object.keys(valid) as Type[]) {
      expect(checkEvent(event(type, valid[type])), type).toMatchObject({ ok: true, event: { type } });
      for (const by_role of ['steward', 'supervisor', 'planner']) expect(check(type, { by_role }), `${type} ${by_role}`).toMatchObject({ ok: true });
    }
  });

  it('takes a null table where a guest may have none', () => {
    expect(check('guest.added', { table_id: null })).toMatchObject({ ok: true });
    expect(check('seat.changed', { from_table_id: null })).toMatchObject({ ok: true });
    expect(check('seat.changed', { to_table_id: null })).toMatchObject({ ok: true });
    for (const source of ['console', 'hub', 'engine']) expect(check('seat.changed', { source })).toMatchObject({ ok: true });
  });

  it('refuses a missing field of each, naming it', () => {
    for (const type of Object.keys(valid) as Type[]) {
      for (const field of Object.keys(valid[type])) {
        expect(without(type, field), `${type} without ${field}`).toEqual({ ok: false, reason: 'invalid_payload', detail: `/payload is missing required field "${field}"` });
      }
    }
  });

  it('refuses unknown fields, roles and sources', () => {
    for (const type of Object.keys(valid) as Type[]) {
      expect(check(type, { note: 'x' }), type).toEqual({ ok: false, reason: 'invalid_payload', detail: '/payload has unknown field "note"' });
      expect(check(type, { by_role: 'owner' }), type).toMatchObject({ ok: false, reason: 'invalid_payload' });
      expect(check(type, { by_role: null }), type).toMatchObject({ ok: false, reason: 'invalid_payload' });
      expect(check(type, { guest_id: '' }), type).toMatchObject({ ok: false, reason: 'invalid_payload' });
    }
    expect(check('seat.changed', { source: 'tablet' })).toMatchObject({ ok: false, reason: 'invalid_payload' });
  });

  it('checks the revert: a uuid for the event it undoes, a bounded non-empty reason, a door', () => {
    expect(check('checkin.reverted', { reverted_event_id: 'evt_1' })).toEqual({ ok: false, reason: 'invalid_payload', detail: '/payload/reverted_event_id must match format "uuid"' });
    expect(check('checkin.reverted', { reason: '' })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('checkin.reverted', { reason: 'r'.repeat(500) })).toMatchObject({ ok: true });
    expect(check('checkin.reverted', { reason: 'r'.repeat(501) })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('checkin.reverted', { door_id: null })).toMatchObject({ ok: false, reason: 'invalid_payload' });
  });

  it('checks the walk-in: a name, a party size like a check-in\'s', () => {
    expect(check('guest.added', { party_size: 0 })).toEqual({ ok: false, reason: 'invalid_payload', detail: '/payload/party_size must be >= 1' });
    expect(check('guest.added', { party_size: 2.5 })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('guest.added', { party_size: 1001 })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('guest.added', { name: '' })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('guest.added', { name: 'n'.repeat(201) })).toMatchObject({ ok: false, reason: 'invalid_payload' });
  });

  it('refuses a table id that is not an id', () => {
    expect(check('seat.changed', { to_table_id: '' })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('seat.changed', { from_table_id: 7 })).toMatchObject({ ok: false, reason: 'invalid_payload' });
    expect(check('guest.added', { table_id: 't'.repeat(129) })).toMatchObject({ ok: false, reason: 'invalid_payload' });
  });
});
