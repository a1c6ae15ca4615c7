// Builders of sync pages for tests, the benchmark and the crash test: valid per the contract, terse to write.
import type { SyncChange, SyncGuest, SyncOccasion, SyncResponse, SyncTable } from '../core/contract';

export const FIXTURE_OCCASION: SyncOccasion = {
  id: 'occ_gala',
  name: 'Spring Gala',
  starts_at: '2026-06-20T18:00:00.000Z',
  ends_at: '2026-06-21T02:00:00.000Z',
  timezone: 'Europe/Lisbon',
  reentry_policy: 'single',
};

export function occasionChange(version: number, over: Partial<SyncOccasion> = {}): SyncChange {
  return { kind: 'occasion', version, occasion: { ...FIXTURE_OCCASION, ...over } };
}

export function guestChange(version: number, guest: Partial<SyncGuest> & { id: string; name: string }): SyncChange {
  return {
    kind: 'guest',
    version,
    guest: { occasion_id: FIXTURE_OCCASION.id, party_size: 1, table_id: null, status: 'active', valid_from: null, valid_to: null, credentials: [], ...guest },
  };
}

export function tableChange(version: number, table: Partial<SyncTable> & { id: string; label: string }): SyncChange {
  return { kind: 'table', version, table: { capacity: 10, shape: 'round', x: 1, y: 1, w: 1.5, h: 1.5, ...table } };
}

export function page(changes: SyncChange[], cursor = 'c1', has_more = false): SyncResponse {
  return { cursor, has_more, changes };
}
