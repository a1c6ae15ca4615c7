// Door-to-seat as SYSTEM.md defines it: seat.arrived.occurred_at − checked_in_at. Walks longer than 15 minutes are
// outliers (a guest at the bar first, a tap forgotten): kept in the raw events, left out of the KPIs and the metric.

export const DOOR_TO_SEAT_OUTLIER_SECONDS = 15 * 60;

/** Histogram buckets (s) for 0–900 s: fine where the promise is (p50 ≤ 30 s, p95 ≤ 60 s), coarse beyond. */
export const DOOR_TO_SEAT_BUCKETS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900];

export type DoorToSeat = { seconds: number; outlier: boolean };

/** Null when either time is unreadable. A negative walk (clocks disagree) counts as 0 s. */
export function doorToSeat(checkedInAt: string, arrivedAt: string): DoorToSeat | null {
  const from = Date.parse(checkedInAt);
  const to = Date.parse(arrivedAt);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  const seconds = Math.max(0, (to - from) / 1000);
  return { seconds, outlier: seconds > DOOR_TO_SEAT_OUTLIER_SECONDS };
}
