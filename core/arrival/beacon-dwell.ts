// Turns noisy BLE RSSI sightings into "tag X is at table T" for the arrival flow: a guest walking past a table must
// not count, a guest sitting down must, and one missed advertisement must not reset the wait. Pure: time comes in
// with each sighting (the edge agent feeds it from POST /v1/beacon/sightings).
//
// Per tag, RSSI is averaged per table over a sliding window. The tag's candidate table is the strongest average at
// or above the threshold; a new table takes over only when it beats the current one by a margin (no flapping
// between two neighbouring tables). The tag "arrives" when the candidate has held for the dwell time, once per stay.
import { Type, type Static } from '@sinclair/typebox';
import { ajv, describeErrors } from '../contract/validate';

export const BeaconDwellOptionsSchema = Type.Object(
  {
    /** Averages weaker than this (dBm) never place a tag at a table. */
    thresholdDbm: Type.Number({ minimum: -127, maximum: 20 }),
    /** How long the same table must stay the candidate before the tag counts as arrived. */
    dwellSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
    /** Averaging window; also how long without sightings before a tag is no longer at a table. */
    windowSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 600 }),
    /** A different table must be stronger by this much (dB) to take over. */
    switchMarginDb: Type.Number({ minimum: 0, maximum: 60 }),
  },
  { additionalProperties: false },
);
export type BeaconDwellOptions = Static<typeof BeaconDwellOptionsSchema>;

export const DEFAULT_DWELL_OPTIONS: BeaconDwellOptions = { thresholdDbm: -70, dwellSeconds: 10, windowSeconds: 4, switchMarginDb: 3 };

const validateOptions = ajv.compile(BeaconDwellOptionsSchema);

export function checkDwellOptions(raw: unknown): { ok: true; options: BeaconDwellOptions } | { ok: false; reason: string } {
  if (!validateOptions(raw)) return { ok: false, reason: describeErrors(validateOptions) };
  return { ok: true, options: raw as BeaconDwellOptions };
}

export interface Sighting {
  tag: string;
  table: string;
  rssi: number;
  atMs: number;
}

export type DwellEvent =
  | { type: 'arrived'; tag: string; table: string; atMs: number; sinceMs: number }
  | { type: 'left'; tag: string; table: string; atMs: number };

interface TagState {
  readings: Map<string, Array<{ rssi: number; atMs: number }>>;
  table: string | null;
  sinceMs: number;
  arrived: boolean;
  lastMs: number;
}

export class BeaconDwellTracker {
  private readonly tags = new Map<string, TagState>();
  readonly options: BeaconDwellOptions;

  constructor(options: Partial<BeaconDwellOptions> = {}) {
    const checked = checkDwellOptions({ ...DEFAULT_DWELL_OPTIONS, ...options });
    if (!checked.ok) throw new Error(`beacon dwell options: ${checked.reason}`);
    this.options = checked.options;
  }

  sight(s: Sighting): DwellEvent[] {
    if (!Number.isFinite(s.rssi) || !Number.isFinite(s.atMs)) return [];
    let state = this.tags.get(s.tag);
    if (!state) {
      state = { readings: new Map(), table: null, sinceMs: s.atMs, arrived: false, lastMs: s.atMs };
      this.tags.set(s.tag, state);
    }
    const list = state.readings.get(s.table) ?? [];
    list.push({ rssi: s.rssi, atMs: s.atMs });
    state.readings.set(s.table, list);
    return this.evaluate(s.tag, state, Math.max(state.lastMs, s.atMs));
  }

  /** Let time pass without sightings: completes dwells and lets silent tags leave. Call about once a second. */
  tick(nowMs: number): DwellEvent[] {
    const out: DwellEvent[] = [];
    for (const [tag, state] of this.tags) {
      out.push(...this.evaluate(tag, state, Math.max(state.lastMs, nowMs)));
      if (state.table === null && state.readings.size === 0) this.tags.delete(tag);
    }
    return out;
  }

  /** Where the tag is now, and whether it has dwelt long enough to count. */
  where(tag: string): { table: string; sinceMs: number; arrived: boolean } | null {
    const s = this.tags.get(tag);
    return s?.table ? { table: s.table, sinceMs: s.sinceMs, arrived: s.arrived } : null;
  }

  private evaluate(tag: string, state: TagState, nowMs: number): DwellEvent[] {
    state.lastMs = nowMs;
    const windowStart = nowMs - this.options.windowSeconds * 1000;
    const averages = new Map<string, number>();
    for (const [table, list] of state.readings) {
      const fresh = list.filter((r) => r.atMs > windowStart);
      if (fresh.length === 0) {
        state.readings.delete(table);
        continue;
      }
      state.readings.set(table, fresh);
      averages.set(table, fresh.reduce((sum, r) => sum + r.rssi, 0) / fresh.length);
    }
    let best: string | null = null;
    for (const [table, avg] of averages) {
      if (avg < this.options.thresholdDbm) continue;
      if (best === null || avg > (averages.get(best) as number)) best = table;
    }
    let next = best;
    const current = state.table;
    if (current !== null && best !== null && best !== current) {
      const currentAvg = averages.get(current);
      if (currentAvg !== undefined && currentAvg >= this.options.thresholdDbm && (averages.get(best) as number) < currentAvg + this.options.switchMarginDb) {
        next = current;
      }
    }
    const events: DwellEvent[] = [];
    if (next !== current) {
      if (current !== null && state.arrived) events.push({ type: 'left', tag, table: current, atMs: nowMs });
      state.table = next;
      state.sinceMs = nowMs;
      state.arrived = false;
    }
    if (state.table !== null && !state.arrived && nowMs - state.sinceMs >= this.options.dwellSeconds * 1000) {
      state.arrived = true;
      events.push({ type: 'arrived', tag, table: state.table, atMs: nowMs, sinceMs: state.sinceMs });
    }
    return events;
  }
}
