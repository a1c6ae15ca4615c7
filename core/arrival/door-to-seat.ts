// Door-to-seat as SYSTEM.md defines it: seat.arrived.occurred_at − checked_in_at. One rule for every tier: a trip counts
// in the KPIs and the metric only from 0 to 15 minutes inclusive. Longer (a guest at the bar first, a tap forgotten) or
// negative (arrival stamped before the check-in: two devices' clocks disagree) is an outlier, kept in the raw events,
// left out of the histogram and the percentiles. The cloud's view (sql/postgres/0008, `seconds BETWEEN 0 AND 900`)
// applies the same rule; cloud-sync/kpi/door-to-seat-rule.test.ts feeds both the same events and compares.

export const DOOR_TO_SEAT_OUTLIER_SECONDS = 15 * 60;

/** Histogram buckets (s) for 0–900 s: fine where the promise is (p50 ≤ 30 s, p95 ≤ 60 s), coarse beyond. */
export const DOOR_TO_SEAT_BUCKETS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900];

/** `seconds` as measured (negative when the arrival is stamped before the check-in); `outlier` per the rule above. */
export type DoorToSeat = { seconds: number; outlier: boolean };

/** Null when either time is unreadable. */
export function doorToSeat(checkedInAt: string, arrivedAt: string): DoorToSeat | null {
  const from = Date.parse(checkedInAt);
  const to = Date.parse(arrivedAt);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  const seconds = (to - from) / 1000;
  return { seconds, outlier: !(seconds >= 0 && seconds <= DOOR_TO_SEAT_OUTLIER_SECONDS) };
}
