// Daily partitions of telemetry.events_raw: made ahead and dropped after the retention period (sql 0002).
import { ADVISORY_LOCKS } from '../../sql/advisory-locks';
import type { Queryable } from '../db';

export interface PartitionReport {
  created: string[];
  dropped: string[];
}

/** Makes today's and the next days' partitions and drops those past retention, per telemetry.partition_settings. */
export async function maintainEventPartitions(db: Queryable, today?: string): Promise<PartitionReport> {
  return db.tx(async (q) => {
    // Two replicas at once would both try to make the same partition and one would fail: the second waits, then finds
    // the work done.
    await q.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.partitionMaintenance]);
    // Moving a day's rows out of the default partition may take longer than the connection's statement timeout.
    await q.exec('SET LOCAL statement_timeout = 0');
    const [row] = await q.query<{ r: PartitionReport }>(
      today === undefined ? 'SELECT telemetry.maintain_event_partitions() AS r' : 'SELECT telemetry.maintain_event_partitions($1::date) AS r',
      today === undefined ? [] : [today],
    );
    return row?.r ?? { created: [], dropped: [] };
  });
}

export async function setPartitionSettings(q: Queryable, settings: { retentionDays?: number; premakeDays?: number }): Promise<void> {
  await q.query(
    `UPDATE telemetry.partition_settings SET retention_days = coalesce($1, retention_days), premake_days = coalesce($2, premake_days)`,
    [settings.retentionDays ?? null, settings.premakeDays ?? null],
  );
}

/** Names of the daily partitions, oldest first. */
export async function listEventPartitions(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ relname: string }>(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'telemetry.events_raw'::regclass AND c.relname ~ '^events_raw_p[0-9]{8}$' ORDER BY c.relname`,
  );
  return rows.map((r) => r.relname);
}
