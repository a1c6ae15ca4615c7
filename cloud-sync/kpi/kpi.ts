// KPI materialized views: refresh (logged in telemetry.mv_refresh_log), staleness, and the readers the admin pages use.
import { ADVISORY_LOCKS } from '../../sql/advisory-locks';
import type { Queryable } from '../db';

export const KPI_VIEWS = ['mv_kpi_checkin', 'mv_kpi_door2seat'] as const;
export type KpiView = (typeof KPI_VIEWS)[number];

export type RefreshOutcome = 'refreshed' | 'failed' | 'skipped_locked';

export interface RefreshResult {
  view: KpiView;
  outcome: RefreshOutcome;
  durationMs: number;
  rowCount: number | null;
  error: string | null;
}

/**
 * Refreshes one view CONCURRENTLY (readers keep the old contents meanwhile) and logs the attempt, failed or not.
 * Another replica refreshing at the same moment makes this one skip (not logged: nothing was attempted).
 */
export async function refreshKpiView(db: Queryable, view: KpiView): Promise<RefreshResult> {
  return db.tx(async (q) => {
    // Replicas refreshing at the same moment take turns instead of doubling the work.
    const [lock] = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ADVISORY_LOCKS.kpiRefresh]);
    if (!lock?.ok) return { view, outcome: 'skipped_locked', durationMs: 0, rowCount: null, error: null };
    // Off the request path, a refresh of a big window may take longer than the connection's statement timeout.
    await q.exec('SET LOCAL statement_timeout = 0');
    const [start] = await q.query<{ t: Date }>('SELECT clock_timestamp() AS t');
    const started = performance.now();
    let error: string | null = null;
    let rowCount: number | null = null;
    try {
      // The savepoint lets a failed refresh still be logged in this transaction.
      rowCount = await q.tx(async (inner) => {
        await inner.exec(`REFRESH MATERIALIZED VIEW CONCURRENTLY telemetry.${view}`);
        const [c] = await inner.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM telemetry.${view}`);
        return c?.n ?? 0;
      });
    } catch (e) {
      error = (e as Error).message.slice(0, 1000);
    }
    const durationMs = performance.now() - started;
    await q.query(
      `INSERT INTO telemetry.mv_refresh_log (view_name, started_at, finished_at, duration_ms, ok, row_count, error)
       VALUES ($1, $2, clock_timestamp(), $3, $4, $5, $6)`,
      [view, start?.t, durationMs, error === null, rowCount, error],
    );
    return { view, outcome: error === null ? 'refreshed' : 'failed', durationMs, rowCount, error };
  });
}

export interface Staleness {
  view: KpiView;
  lastRefreshedAt: Date | null;
  lagSeconds: number | null;
  lastFailedAt: Date | null;
}

export async function readStaleness(q: Queryable): Promise<Staleness[]> {
  const rows = await q.query<{ view_name: KpiView; last_refreshed_at: Date | null; lag_seconds: number | null; last_failed_at: Date | null }>(
    'SELECT view_name, last_refreshed_at, lag_seconds, last_failed_at FROM telemetry.v_mv_staleness ORDER BY view_name',
  );
  return rows.map((r) => ({ view: r.view_name, lastRefreshedAt: r.last_refreshed_at, lagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds), lastFailedAt: r.last_failed_at }));
}

export interface CheckinKpi {
  tenant_id: string;
  venue_id: string;
  door_id: string;
  bucket: Date;
  decisions: number;
  admitted: number;
  rejected: number;
  /** Null when no decision in the bucket carries a measured latency (events pushed after a kiosk restart omit it). */
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  rejects_by_reason: Record<string, number>;
}

export interface DoorToSeatKpi {
  tenant_id: string;
  venue_id: string;
  bucket: Date;
  arrivals: number;
  outliers: number;
  p50_seconds: number | null;
  p95_seconds: number | null;
}

export interface KpiFilter {
  tenantId?: string;
  since?: Date;
}

function where(filter: KpiFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.tenantId !== undefined) parts.push(`tenant_id = $${params.push(filter.tenantId)}`);
  if (filter.since !== undefined) parts.push(`bucket >= $${params.push(filter.since)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Rows of mv_kpi_checkin (as of its last refresh), oldest bucket first. */
export async function readCheckinKpis(q: Queryable, filter: KpiFilter = {}): Promise<CheckinKpi[]> {
  const w = where(filter);
  return q.query<CheckinKpi>(`SELECT * FROM telemetry.mv_kpi_checkin ${w.sql} ORDER BY tenant_id, venue_id, door_id, bucket`, w.params);
}

/** Rows of mv_kpi_door2seat (as of its last refresh), oldest bucket first. */
export async function readDoorToSeatKpis(q: Queryable, filter: KpiFilter = {}): Promise<DoorToSeatKpi[]> {
  const w = where(filter);
  return q.query<DoorToSeatKpi>(`SELECT * FROM telemetry.mv_kpi_door2seat ${w.sql} ORDER BY tenant_id, venue_id, bucket`, w.params);
}
