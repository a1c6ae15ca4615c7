import { describe, expect, it } from 'vitest';
import type { CheckinScreen, GuestMatch, KioskSetup, KioskStatus, ScanRequest } from './channels';
import { createHandlers, dispatch, HubUnavailableError, KioskRefusal, type KioskServicePort } from './handlers';

const ana: GuestMatch = { id: 'g1', name: 'Ana', party_size: 2, table_id: 't12', table_label: '12', checked_in_at: null, status: 'active' };

/** A stand-in for the kiosk service that records what reached it (the handlers' own logic is under test). */
function fakeService(over: Partial<KioskServicePort> = {}) {
  const calls: string[] = [];
  const admitted: CheckinScreen = { outcome: 'admitted', guest: ana, checked_in_at: '2026-11-27T20:00:00.000Z', door_id: 'main' };
  const service: KioskServicePort = {
    scan: async (c: ScanRequest) => { calls.push(`scan:${c.kind}:${c.value}`); return admitted; },
    search: async (q) => { calls.push(`search:${q}`); return [ana]; },
    manualCheckin: async (id) => { calls.push(`manual:${id}`); return id === 'g1' ? admitted : null; },
    status: async () => ({}) as KioskStatus,
    setup: async () => ({ venue_name: 'Finca', language: 'es' }) as KioskSetup,
    staffRoleForPin: (pin) => (pin === '2468' ? 'steward' : null),
    hasSupervisorPin: () => false,
    seatingCounts: async () => { calls.push('seating'); return { tables: [{ table_id: 't12', label: '12', expected: 5, checked_in: 2, seated: 1 }], occasions: [] }; },
    pairTablet: async (label, role) => { calls.push(`pair:${label ?? '-'}:${role}`); return { code: 'ABCD-EFGH', label: label ?? 'Tablet', expires_at: '2026-11-27T20:10:00.000Z', role }; },
    findTable: async (p) => { calls.push(`find:${p}`); return { matches: [], more: false }; },
    // The desk's handlers are proven against a real hub (desk-handlers.test.ts); here they only must not be reached.
    deskProposeWalkIn: async () => { throw new Error('not under test here'); },
    deskAddWalkIn: async () => { throw new Error('not under test here'); },
    deskMove: async () => { throw new Error('not under test here'); },
    deskRevert: async () => { throw new Error('not under test here'); },
    guestTable: () => undefined,
    pinFailed: (f) => { calls.push(`pin_failed:${f.failures}:${f.locked}`); },
    ...over,
  };
  return { service, calls };
}

describe('kiosk IPC handlers', () => {
  it('passes a valid scan to the service and wraps the decision', async () => {
    const { service, calls } = fakeService();
    const h = createHandlers({ service });
    const r = await h['checkin.scan']({ kind: 'barcode', value: 'TKT-1' });
    expect(r).toMatchObject({ ok: true, value: { outcome: 'admitted', guest: { name: 'Ana' } } });
    expect(calls).toEqual(['scan:barcode:TKT-1']);
  });

  it('refuses malformed requests at the crossing with a message naming the field, without calling the service', async () => {
    const { service, calls } = fakeService();
    const h = createHandlers({ service });
    expect(await h['checkin.scan']({ kind: 'barcode' })).toEqual({ ok: false, error: { code: 'bad_request', message: 'checkin.scan: request is missing required field "value"' } });
    expect(await h['checkin.scan']({ kind: 'qr', value: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h['checkin.scan']({ kind: 'nfc', value: 'x'.repeat(257) })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('/value') } });
    expect(await h['checkin.scan']({ kind: 'nfc', value: 'x', door_id: 'other' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('door_id') } });
    expect(await h['checkin.scan']('TKT-1')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(calls).toEqual([]);
  });

  it('keeps search and manual check-in behind the staff PIN', async () => {
    const { service, calls } = fakeService();
    const h = createHandlers({ service });
    const forged = 'f'.repeat(32);
    expect(await h['guests.search']({ staff_token: forged, query: 'ana' })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    expect(await h['staff.unlock']({ pin: '0000' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    const unlocked = await h['staff.unlock']({ pin: '2468' });
    if (!unlocked.ok) throw new Error('unlock failed');
    const token = unlocked.value.staff_token;
    expect(await h['guests.search']({ staff_token: token, query: 'ana' })).toMatchObject({ ok: true, value: [{ id: 'g1' }] });
    expect(await h['checkin.manual']({ staff_token: token, guest_id: 'g1' })).toMatchObject({ ok: true, value: { outcome: 'admitted' } });
    expect(await h['checkin.manual']({ staff_token: token, guest_id: 'nobody' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await h['staff.lock']({ staff_token: token })).toEqual({ ok: true, value: { locked: true } });
    expect(await h['guests.search']({ staff_token: token, query: 'ana' })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    // The wrong PIN went to the audit (staff.pin_failed) before anything else reached the service.
    expect(calls).toEqual(['pin_failed:1:false', 'search:ana', 'manual:g1', 'manual:nobody']);
  });

  it('keeps seating counts and tablet pairing behind the staff PIN, and checks the label at the crossing', async () => {
    const { service, calls } = fakeService();
    const h = createHandlers({ service });
    const forged = 'f'.repeat(32);
    expect(await h['staff.seating']({ staff_token: forged })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    expect(await h['staff.pairTablet']({ staff_token: forged, label: 'Table 12' })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    const s = await h['staff.unlock']({ pin: '2468' });
    if (!s.ok) throw new Error('unlock failed');
    const token = s.value.staff_token;
    expect(await h['staff.seating']({ staff_token: token })).toMatchObject({ ok: true, value: { tables: [{ table_id: 't12', expected: 5 }] } });
    expect(await h['staff.pairTablet']({ staff_token: token, label: 'Table 12' })).toMatchObject({ ok: true, value: { code: 'ABCD-EFGH', label: 'Table 12' } });
    expect(await h['staff.pairTablet']({ staff_token: token })).toMatchObject({ ok: true, value: { label: 'Tablet' } });
    expect(await h['staff.pairTablet']({ staff_token: token, label: 'x'.repeat(65) })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('/label') } });
    // No supervisor PIN configured: the steward pairs as before roles, for either role.
    expect(await h['staff.pairTablet']({ staff_token: token, label: 'Host', role: 'supervisor' })).toMatchObject({ ok: true, value: { role: 'supervisor' } });
    expect(calls).toEqual(['seating', 'pair:Table 12:steward', 'pair:-:steward', 'pair:Host:supervisor']);
  });

  it('opens staff mode with the role of the PIN entered, and leaves pairing tablets to a supervisor once a supervisor PIN exists', async () => {
    const { service, calls } = fakeService({
      staffRoleForPin: (pin) => (pin === '2468' ? 'steward' : pin === '975310' ? 'supervisor' : null),
      hasSupervisorPin: () => true,
    });
    const h = createHandlers({ service });
    const steward = await h['staff.unlock']({ pin: '2468' });
    const supervisor = await h['staff.unlock']({ pin: '975310' });
    if (!steward.ok || !supervisor.ok) throw new Error('unlock failed');
    expect(steward.value.role).toBe('steward');
    expect(supervisor.value.role).toBe('supervisor');
    expect(await h['staff.unlock']({ pin: '975311' })).toEqual({ ok: false, error: { code: 'wrong_pin', message: 'Wrong PIN.' } });

    expect(await h['staff.pairTablet']({ staff_token: steward.value.staff_token, label: 'Table 3' })).toEqual({
      ok: false,
      error: { code: 'supervisor_required', message: 'A supervisor must do this: ask them to enter their PIN.' },
    });
    expect(await h['staff.pairTablet']({ staff_token: steward.value.staff_token, role: 'supervisor' })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    // The steward's other rights are unchanged.
    expect(await h['guests.search']({ staff_token: steward.value.staff_token, query: 'ana' })).toMatchObject({ ok: true });
    expect(await h['staff.pairTablet']({ staff_token: supervisor.value.staff_token, label: 'Table 3' })).toMatchObject({ ok: true, value: { role: 'steward' } });
    expect(await h['staff.pairTablet']({ staff_token: supervisor.value.staff_token, label: 'Host', role: 'supervisor' })).toMatchObject({ ok: true, value: { role: 'supervisor' } });
    expect(await h['staff.pairTablet']({ staff_token: supervisor.value.staff_token, role: 'manager' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(calls).toEqual(['pin_failed:1:false', 'search:ana', 'pair:Table 3:steward', 'pair:Host:supervisor']);
  });

  it('says why when the hub is missing or silent, and logs nothing for it', async () => {
    const logged: unknown[] = [];
    const { service } = fakeService({
      seatingCounts: async () => { throw new HubUnavailableError('no_hub', 'This kiosk has no venue hub configured.'); },
      pairTablet: async () => { throw new HubUnavailableError('hub_unreachable', 'The venue hub did not answer.'); },
    });
    const h = createHandlers({ service, logError: (_c, e) => logged.push(e) });
    const s = await h['staff.unlock']({ pin: '2468' });
    if (!s.ok) throw new Error('unlock failed');
    expect(await h['staff.seating']({ staff_token: s.value.staff_token })).toEqual({ ok: false, error: { code: 'no_hub', message: 'This kiosk has no venue hub configured.' } });
    expect(await h['staff.pairTablet']({ staff_token: s.value.staff_token })).toEqual({ ok: false, error: { code: 'hub_unreachable', message: 'The venue hub did not answer.' } });
    expect(logged).toEqual([]);
  });

  it('expires an idle staff session and locks the PIN pad after five wrong PINs, auditing each with its streak', async () => {
    let t = 1_000_000;
    const { service, calls } = fakeService();
    const h = createHandlers({ service, now: () => t, staffSessionMs: 60_000 });
    const s = await h['staff.unlock']({ pin: '2468' });
    if (!s.ok) throw new Error('unlock failed');
    t += 61_000;
    expect(await h['guests.search']({ staff_token: s.value.staff_token, query: 'a' })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    for (let i = 0; i < 5; i++) expect(await h['staff.unlock']({ pin: '1111' })).toMatchObject({ error: { code: 'wrong_pin' } });
    expect(await h['staff.unlock']({ pin: '2468' })).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
    t += 61_000;
    // The streak goes on past the lockout: the audit shows someone kept guessing.
    expect(await h['staff.unlock']({ pin: '1112' })).toMatchObject({ error: { code: 'wrong_pin' } });
    expect(await h['staff.unlock']({ pin: '2468' })).toMatchObject({ ok: true });
    expect(await h['staff.unlock']({ pin: '1113' })).toMatchObject({ error: { code: 'wrong_pin' } });
    // A PIN typed while locked out is not checked, so not audited as a wrong one.
    expect(calls).toEqual(['pin_failed:1:false', 'pin_failed:2:false', 'pin_failed:3:false', 'pin_failed:4:false', 'pin_failed:5:true', 'pin_failed:6:false', 'pin_failed:1:false']);
  });

  it('still answers "Wrong PIN" when the audit event cannot be queued, and reports why', async () => {
    const logged: string[] = [];
    const { service } = fakeService({ pinFailed: () => { throw new Error('SQLITE_FULL: database or disk is full'); } });
    const h = createHandlers({ service, logError: (ch, e) => logged.push(`${ch}: ${(e as Error).message}`) });
    expect(await h['staff.unlock']({ pin: '0000' })).toEqual({ ok: false, error: { code: 'wrong_pin', message: 'Wrong PIN.' } });
    expect(logged).toEqual(['staff.unlock: SQLITE_FULL: database or disk is full']);
  });

  it('turns a service failure into an "unavailable" result without internals, and reports it', async () => {
    const logged: string[] = [];
    const { service } = fakeService({ scan: async () => { throw new Error('SQLITE_CORRUPT: database disk image is malformed'); } });
    const h = createHandlers({ service, logError: (ch, e) => logged.push(`${ch}: ${(e as Error).message}`) });
    const r = await h['checkin.scan']({ kind: 'barcode', value: 'TKT-1' });
    expect(r).toEqual({ ok: false, error: { code: 'unavailable', message: 'The kiosk could not complete this; please ask staff.' } });
    expect(logged).toEqual(['checkin.scan: SQLITE_CORRUPT: database disk image is malformed']);
  });

  it('dispatches by channel name and refuses unknown channels', async () => {
    const h = createHandlers(fakeService());
    expect(await dispatch(h, 'kiosk.setup', {})).toMatchObject({ ok: true, value: { venue_name: 'Finca' } });
    expect(await dispatch(h, 'kiosk.setup', undefined)).toMatchObject({ ok: true });
    expect(await dispatch(h, 'db.exec', {})).toEqual({ ok: false, error: { code: 'unknown_channel', message: 'Unknown channel "db.exec".' } });
    expect(await dispatch(h, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('desk channels: the session\'s role and a request id go to the service, never the token; a move elsewhere and an undo need a supervisor', async () => {
    const seen: { channel: string; req: unknown; role: string }[] = [];
    const moveResult = { guest: { id: 'g1', name: 'Ana', party_size: 2, table_id: 't12', table_label: '12' }, from_table_id: 't12', from_party_size: 2, event_id: null, hlc: null, created: true };
    const desk = (supervisorPin: boolean) =>
      fakeService({
        staffRoleForPin: (pin) => (pin === '2468' ? 'steward' : pin === '975310' ? 'supervisor' : null),
        hasSupervisorPin: () => supervisorPin,
        guestTable: (id) => (id === 'g1' ? 't12' : undefined),
        deskMove: async (req, role) => { seen.push({ channel: 'move', req, role }); return moveResult; },
        deskRevert: async (req, role) => { seen.push({ channel: 'revert', req, role }); return { guest_id: req.guest_id, reverted_event_id: req.request_id, event_id: req.request_id, created: true }; },
      });
    const h = createHandlers({ service: desk(true).service });
    const steward = await h['staff.unlock']({ pin: '2468' });
    if (!steward.ok) throw new Error('unlock failed');
    expect(steward.value.supervisor_rights).toBe(false);
    const token = steward.value.staff_token;
    expect(await h['desk.move']({ staff_token: token, guest_id: 'g1', to_table_id: 't7' })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    expect(await h['desk.move']({ staff_token: token, guest_id: 'g_unknown', to_table_id: null })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    expect(await h['desk.revert']({ staff_token: token, guest_id: 'g1', reason: 'mistake' })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    expect(await h['desk.move']({ staff_token: token, guest_id: 'g1', to_table_id: 't12', party_size: 3 })).toMatchObject({ ok: true });
    const id = '0190f3a4-5b6c-7d8e-9f00-112233445566';
    expect(await h['desk.move']({ staff_token: token, request_id: id, guest_id: 'g1', party_size: 1 })).toMatchObject({ ok: true });
    expect(seen).toEqual([
      { channel: 'move', req: { guest_id: 'g1', to_table_id: 't12', party_size: 3, request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) }, role: 'steward' },
      { channel: 'move', req: { guest_id: 'g1', party_size: 1, request_id: id }, role: 'steward' },
    ]);
    // One PIN only: it holds every right, and the hub hears a supervisor's (else it would refuse what this door allows).
    seen.length = 0;
    const alone = createHandlers({ service: desk(false).service });
    const s = await alone['staff.unlock']({ pin: '2468' });
    if (!s.ok) throw new Error('unlock failed');
    expect(s.value).toMatchObject({ role: 'steward', supervisor_rights: true });
    expect(await alone['desk.move']({ staff_token: s.value.staff_token, guest_id: 'g1', to_table_id: 't7' })).toMatchObject({ ok: true });
    expect(await alone['desk.revert']({ staff_token: s.value.staff_token, guest_id: 'g1', reason: 'mistake' })).toMatchObject({ ok: true });
    expect(seen.map((x) => `${x.channel}:${x.role}`)).toEqual(['move:supervisor', 'revert:supervisor']);
  });

  it('find my table needs no staff session, and a refusal reaches the guest with its code and wait', async () => {
    const { service, calls } = fakeService({
      findTable: async () => {
        throw new KioskRefusal('rate_limited', 'Too many searches at this kiosk: please wait 6 s.', { retry_after_s: 6 });
      },
    });
    const h = createHandlers({ service });
    expect(await h['guest.findTable']({ surname_prefix: 'gar', staff_token: 'x'.repeat(16) })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h['guest.findTable']({ surname_prefix: 'gar' })).toEqual({ ok: false, error: { code: 'rate_limited', message: 'Too many searches at this kiosk: please wait 6 s.', retry_after_s: 6 } });
    const ok = fakeService();
    expect(await createHandlers({ service: ok.service })['guest.findTable']({ surname_prefix: 'gar' })).toEqual({ ok: true, value: { matches: [], more: false } });
    expect(ok.calls).toEqual(['find:gar']);
    expect(calls).toEqual([]);
  });
});
