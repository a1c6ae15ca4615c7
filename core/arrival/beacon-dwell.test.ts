import { describe, expect, it } from 'vitest';
import { BeaconDwellTracker, checkDwellOptions, type DwellEvent } from './beacon-dwell';

const S = 1000;

/** One sighting per second of `tag` at `table` with the given RSSI values, starting at `startS`. */
function run(t: BeaconDwellTracker, tag: string, table: string, startS: number, rssis: number[]): DwellEvent[] {
  return rssis.flatMap((rssi, i) => t.sight({ tag, table, rssi, atMs: (startS + i) * S }));
}

describe('BeaconDwellTracker', () => {
  it('places a tag at a table after the dwell time, once', () => {
    const t = new BeaconDwellTracker({ thresholdDbm: -70, dwellSeconds: 10, windowSeconds: 4 });
    const events = run(t, 'tag-1', 'T12', 0, Array(15).fill(-60));
    expect(events).toEqual([{ type: 'arrived', tag: 'tag-1', table: 'T12', atMs: 10 * S, sinceMs: 0 }]);
    expect(t.where('tag-1')).toEqual({ table: 'T12', sinceMs: 0, arrived: true });
  });

  it('does not place a guest who walks past a table', () => {
    const t = new BeaconDwellTracker({ dwellSeconds: 10 });
    const events = [...run(t, 'tag-1', 'T1', 0, Array(5).fill(-55)), ...run(t, 'tag-1', 'T2', 5, Array(5).fill(-55))];
    expect(events).toEqual([]);
  });

  it('never places a tag whose signal stays under the threshold', () => {
    const t = new BeaconDwellTracker({ thresholdDbm: -70, dwellSeconds: 5 });
    expect(run(t, 'tag-1', 'T1', 0, Array(30).fill(-80))).toEqual([]);
    expect(t.where('tag-1')).toBeNull();
  });

  it('averages noise: single readings below the threshold do not reset the dwell', () => {
    const t = new BeaconDwellTracker({ thresholdDbm: -70, dwellSeconds: 8, windowSeconds: 4 });
    const rssis = [-62, -75, -64, -73, -63, -76, -62, -74, -63, -75, -62];
    const events = run(t, 'tag-1', 'T3', 0, rssis);
    expect(events).toEqual([{ type: 'arrived', tag: 'tag-1', table: 'T3', atMs: 8 * S, sinceMs: 0 }]);
  });

  it('keeps the table between two close tables unless the other is clearly stronger', () => {
    const t = new BeaconDwellTracker({ dwellSeconds: 6, windowSeconds: 3, switchMarginDb: 3 });
    const events: DwellEvent[] = [];
    for (let i = 0; i <= 6; i++) {
      events.push(...t.sight({ tag: 'g', table: 'T1', rssi: -62, atMs: i * S }));
      events.push(...t.sight({ tag: 'g', table: 'T2', rssi: -60, atMs: i * S + 500 }));
    }
    expect(events).toEqual([{ type: 'arrived', tag: 'g', table: 'T1', atMs: 6 * S, sinceMs: 0 }]);
    // Now T2 is 10 dB stronger for long enough: the guest moved.
    for (let i = 7; i <= 20; i++) {
      events.push(...t.sight({ tag: 'g', table: 'T1', rssi: -72, atMs: i * S }));
      events.push(...t.sight({ tag: 'g', table: 'T2', rssi: -58, atMs: i * S + 500 }));
    }
    expect(events.slice(1).map((e) => `${e.type}:${e.table}`)).toEqual(['left:T1', 'arrived:T2']);
  });

  it('survives a missed advertisement shorter than the window, but not a long silence', () => {
    const t = new BeaconDwellTracker({ dwellSeconds: 10, windowSeconds: 4 });
    const gapped = [...run(t, 'a', 'T1', 0, [-60, -60, -60]), ...run(t, 'a', 'T1', 5, Array(6).fill(-60))];
    expect(gapped).toEqual([{ type: 'arrived', tag: 'a', table: 'T1', atMs: 10 * S, sinceMs: 0 }]);

    const u = new BeaconDwellTracker({ dwellSeconds: 10, windowSeconds: 4 });
    const silent = [...run(u, 'b', 'T1', 0, [-60, -60, -60]), ...u.tick(8 * S), ...run(u, 'b', 'T1', 9, Array(6).fill(-60))];
    expect(silent).toEqual([]);
    expect(u.where('b')).toEqual({ table: 'T1', sinceMs: 9 * S, arrived: false });
  });

  it('completes a dwell on tick and reports the tag leaving when it falls silent', () => {
    const t = new BeaconDwellTracker({ dwellSeconds: 3, windowSeconds: 4 });
    expect(run(t, 'x', 'T9', 0, [-60, -60, -60])).toEqual([]);
    expect(t.tick(3 * S)).toEqual([{ type: 'arrived', tag: 'x', table: 'T9', atMs: 3 * S, sinceMs: 0 }]);
    expect(t.tick(10 * S)).toEqual([{ type: 'left', tag: 'x', table: 'T9', atMs: 10 * S }]);
    expect(t.where('x')).toBeNull();
  });

  it('validates its options and names the bad field', () => {
    expect(checkDwellOptions({ thresholdDbm: -70, dwellSeconds: -1, windowSeconds: 4, switchMarginDb: 3 })).toEqual({ ok: false, reason: '/dwellSeconds must be >= 0' });
    expect(() => new BeaconDwellTracker({ windowSeconds: 0 })).toThrow(/windowSeconds/);
  });
});
