import { describe, expect, it } from 'vitest';
import { createHandlers, type KioskServicePort } from './handlers';
import { PinLockout, SCREEN_SOURCE } from './pin-lockout';

const MIN = 60_000;
const service = { staffRoleForPin: (pin: string) => (pin === '246813' ? 'steward' : null), hasSupervisorPin: () => false, pinFailed: () => {} } as unknown as KioskServicePort;

/** Five wrong PINs from `source`; every one must be answered wrong_pin (none refused as locked yet). */
async function fiveWrong(h: ReturnType<typeof createHandlers>, source: string) {
  for (let i = 0; i < 5; i++) expect(await h['staff.unlock']({ pin: '000000' }, { source })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
}
const unlock = (h: ReturnType<typeof createHandlers>, source: string) => h['staff.unlock']({ pin: '246813' }, { source });

describe('wrong-PIN lockout', () => {
  it('locks a source for 1, 2, 4 … minutes, capped at 30, and the right PIN is refused while locked', async () => {
    let t = 5_000_000;
    const h = createHandlers({ service, now: () => t });
    const lanIp = '192.168.1.77';
    const expected = [1, 2, 4, 8, 16, 30, 30];
    for (const minutes of expected) {
      await fiveWrong(h, lanIp);
      expect(await unlock(h, lanIp)).toMatchObject({ ok: false, error: { code: 'too_many_attempts', message: `Too many wrong PINs: try again in ${minutes} min.` } });
      t += minutes * MIN - 1_000;
      expect(await unlock(h, lanIp)).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
      t += 1_000;
    }
    // The cap holds: after the seventh lockout the source may try again, and the right PIN opens staff mode.
    expect(await unlock(h, lanIp)).toMatchObject({ ok: true });
  });

  it("a stranger's wrong PINs from the LAN never lock the kiosk's own screen", async () => {
    let t = 5_000_000;
    const h = createHandlers({ service, now: () => t });
    // Guessing on through six lockouts (1+2+4+8+16 min waited out), each round also at the screen's door.
    for (const minutes of [1, 2, 4, 8, 16, 30]) {
      await fiveWrong(h, '192.168.1.77');
      expect(await unlock(h, '192.168.1.77')).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
      expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: true });
      if (minutes < 30) t += minutes * MIN;
    }
    expect(await unlock(h, '192.168.1.77')).toMatchObject({ ok: false, error: { message: 'Too many wrong PINs: try again in 30 min.' } });
    // The screen (Electron IPC passes no context at all) unlocks at once, with the stranger still locked out.
    expect(await h['staff.unlock']({ pin: '246813' })).toMatchObject({ ok: true });
    expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: true });
  });

  it('a stranger who changes address gets no fresh guesses: every LAN source shares one more bucket, the screen does not', async () => {
    const t = 5_000_000;
    const h = createHandlers({ service, now: () => t });
    for (let i = 0; i < 5; i++) expect(await h['staff.unlock']({ pin: '000000' }, { source: `192.168.1.${100 + i}` })).toMatchObject({ error: { code: 'wrong_pin' } });
    expect(await unlock(h, '192.168.1.200')).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
    expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: true });
  });

  it("the screen's own lockout escalates too, and ends by itself", async () => {
    let t = 5_000_000;
    const h = createHandlers({ service, now: () => t });
    await fiveWrong(h, SCREEN_SOURCE);
    t += MIN;
    await fiveWrong(h, SCREEN_SOURCE);
    expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: false, error: { message: 'Too many wrong PINs: try again in 2 min.' } });
    t += 2 * MIN;
    expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: true });
    // The right PIN cleared the screen's record: five more wrong ones lock it for one minute again, not four.
    await fiveWrong(h, SCREEN_SOURCE);
    expect(await unlock(h, SCREEN_SOURCE)).toMatchObject({ ok: false, error: { message: 'Too many wrong PINs: try again in 1 min.' } });
  });

  it('a source quiet for an hour after its lockout starts again from one minute', () => {
    let t = 0;
    const lock = new PinLockout({ now: () => t });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) lock.failed('10.0.0.9');
      t += lock.lockedFor('10.0.0.9');
    }
    t += 61 * MIN;
    for (let i = 0; i < 5; i++) lock.failed('10.0.0.9');
    expect(lock.lockedFor('10.0.0.9')).toBe(MIN);
  });

  it('reports each failure for the audit: the streak of wrong PINs, across lockouts, and which one locked', () => {
    let t = 0;
    const lock = new PinLockout({ now: () => t });
    const streak = Array.from({ length: 6 }, () => lock.failed(SCREEN_SOURCE));
    expect(streak).toEqual([1, 2, 3, 4, 5, 6].map((failures) => ({ failures, locked: failures === 5 })));
    // A LAN source is also counted in the shared remote bucket: its fifth locks it, whichever bucket did.
    const remote = Array.from({ length: 5 }, (_, i) => lock.failed(`10.0.0.${i % 2 ? 1 : 2}`));
    expect(remote.map((f) => f.locked)).toEqual([false, false, false, false, true]);
    expect(remote.map((f) => f.failures)).toEqual([1, 1, 2, 2, 3]);
    t += 2 * 60 * MIN; // quiet long enough: forgotten
    expect(lock.failed(SCREEN_SOURCE)).toEqual({ failures: 1, locked: false });
  });
});
