// The audit's compact diff: only the fields that changed, each side shown only when the entry has it.
import { describe, expect, it } from 'vitest';
import { changes } from './audit-diff';

describe('changes', () => {
  it('lists the changed fields of an update, and leaves the unchanged ones out', () => {
    expect(changes({ email: 'a@x.test', role: 'viewer', disabled: false }, { email: 'a@x.test', role: 'planner', disabled: false }))
      .toEqual([{ field: 'role', from: 'viewer', to: 'planner' }]);
  });

  it('shows a creation as its new values and a deletion as its old ones', () => {
    expect(changes(null, { kind: 'kiosk', name: null })).toEqual([{ field: 'kind', to: 'kiosk' }, { field: 'name', to: null }]);
    expect(changes({ name: 'Ana' }, null)).toEqual([{ field: 'name', from: 'Ana' }]);
  });

  it('compares nested values as a whole, and a field that appears or goes', () => {
    expect(changes({ keys: [{ status: 'active' }] }, { keys: [{ status: 'revoked' }], revoked_at: '2026-12-31T20:00:00.000Z' })).toEqual([
      { field: 'keys', from: [{ status: 'active' }], to: [{ status: 'revoked' }] },
      { field: 'revoked_at', from: undefined, to: '2026-12-31T20:00:00.000Z' },
    ]);
  });

  it('handles plain values and nothing at all', () => {
    expect(changes(3, 4)).toEqual([{ field: '', from: 3, to: 4 }]);
    expect(changes(null, null)).toEqual([]);
    expect(changes({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
