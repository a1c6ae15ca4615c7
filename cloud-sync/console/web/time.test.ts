// The occasion form's time arithmetic: a wall time in a zone gets the zone's offset on that day (winter, summer,
// other hemispheres, half hours), the clocks' skipped hour is refused, the repeated one is the first, and back.
import { describe, expect, it } from 'vitest';
import { instantToZoned, isTimeZone, zonedToInstant } from './time';

describe('zonedToInstant', () => {
  it.each([
    ['2026-12-31T19:00', 'Europe/Madrid', '2026-12-31T19:00:00+01:00'],
    ['2026-07-04T21:30', 'Europe/Madrid', '2026-07-04T21:30:00+02:00'],
    ['2026-07-04T21:30', 'Atlantic/Canary', '2026-07-04T21:30:00+01:00'],
    ['2026-12-31T19:00', 'America/New_York', '2026-12-31T19:00:00-05:00'],
    ['2026-01-15T20:00', 'America/Santiago', '2026-01-15T20:00:00-03:00'],
    ['2026-03-01T09:15', 'Asia/Kolkata', '2026-03-01T09:15:00+05:30'],
    ['2026-05-01T00:00', 'UTC', '2026-05-01T00:00:00+00:00'],
  ])('%s in %s is %s', (local, tz, iso) => {
    const r = zonedToInstant(local, tz);
    expect(r).toEqual({ ok: true, iso, offset: iso.slice(-6) });
    expect(instantToZoned(iso, tz)).toBe(local);
  });

  it('refuses a time the clocks skip (Madrid, last Sunday of March, 02:30)', () => {
    expect(zonedToInstant('2026-03-29T02:30', 'Europe/Madrid')).toEqual({ ok: false, reason: 'nonexistent' });
    expect(zonedToInstant('2026-03-29T03:00', 'Europe/Madrid')).toMatchObject({ ok: true, iso: '2026-03-29T03:00:00+02:00' });
  });

  it('takes the first of a repeated time (Madrid, last Sunday of October, 02:30)', () => {
    expect(zonedToInstant('2026-10-25T02:30', 'Europe/Madrid')).toMatchObject({ ok: true, iso: '2026-10-25T02:30:00+02:00' });
  });

  it('refuses what is not a date or not a zone', () => {
    expect(zonedToInstant('2026-02-30T10:00', 'Europe/Madrid')).toEqual({ ok: false, reason: 'invalid' });
    expect(zonedToInstant('tomorrow', 'Europe/Madrid')).toEqual({ ok: false, reason: 'invalid' });
    expect(zonedToInstant('2026-02-10T10:00', 'Mars/Olympus')).toEqual({ ok: false, reason: 'invalid' });
    expect(isTimeZone('Europe/Madrid')).toBe(true);
    expect(isTimeZone('')).toBe(false);
  });

  it('shows a stored UTC instant in the occasion zone', () => {
    expect(instantToZoned('2026-12-31T18:00:00Z', 'Europe/Madrid')).toBe('2026-12-31T19:00');
    expect(instantToZoned('2027-01-01T03:00:00.000Z', 'America/New_York')).toBe('2026-12-31T22:00');
  });
});
