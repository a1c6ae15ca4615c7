// A background pass over the events stored since its last run, read in commit order (sql 0011): each pass takes the
// rows whose storing transaction became visible between the last pass's snapshot and its own, so a batch that commits
// late (held on its tenant's usage row) is read by the first pass after it commits, never skipped, never twice.
// One pass at a time, across replicas too (an advisory lock); its loop backs off while passes fail and never throws.
import type { ADVISORY_LOCKS } from '../sql/advisory-locks';
import type { Db, Queryable } from './db';

/**
 * The rows of `telemetry.events_raw` committed after snapshot $1 and by snapshot $2. The xid range only narrows the
 * index scan: it spans every transaction that was running at the last pass, however long it ran.
 */
export const COMMITTED_BETWEEN_SNAPSHOTS = `ingest_xid >= pg_snapshot_xmin($1::pg_snapshot) AND ingest_xid < pg_snapshot_xmax($2::pg_snapshot)
          AND NOT pg_visible_in_snapshot(ingest_xid, $1::pg_snapshot) AND pg_visible_in_snapshot(ingest_xid, $2::pg_snapshot)`;

/** The two snapshots a pass reads between, as text for $1 and $2 of COMMITTED_BETWEEN_SNAPSHOTS. */
export interface PassWindow {
  before: string;
  after: string;
}

export abstract class CommitOrderPass {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  protected constructor(
    protected readonly db: Db,
    private readonly lock: (typeof ADVISORY_LOCKS)[keyof typeof ADVISORY_LOCKS],
    /** A one-row table with a `seen pg_snapshot` column (sql 0011, 0015). */
    private readonly watermarkTable: 'telemetry.double_admission_watermark' | 'telemetry.assign_metrics_watermark',
  ) {}

  /** Handles the rows of one window inside the pass's transaction; returns what it counted. */
  protected abstract process(q: Queryable, window: PassWindow): Promise<number>;

  /**
   * A pass every `everySeconds`; after failures (the database unreachable) the wait doubles, up to a minute, and goes
   * back to `everySeconds` after the first pass that works. An error never leaves this loop.
   */
  start(everySeconds: number, onError: (e: Error) => void): void {
    if (everySeconds <= 0) return;
    this.stopped = false;
    let failures = 0;
    const next = () => {
      if (this.stopped) return;
      const waitMs = Math.min(60_000, everySeconds * 1000 * 2 ** Math.min(failures, 10));
      this.timer = setTimeout(() => {
        this.tick().then(
          () => (failures = 0),
          (e: unknown) => {
            failures++;
            try {
              onError(e instanceof Error ? e : new Error(String(e)));
            } catch {
              // a logger that throws must not stop the pass
            }
          },
        ).finally(next);
      }, waitMs);
      this.timer.unref();
    };
    next();
  }

  stop(): Promise<unknown> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }

  /** One pass now; returns what `process` counted (0 when another replica holds the pass). */
  tick(): Promise<number> {
    this.running ??= this.db.tx((q) => this.pass(q)).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(q: Queryable): Promise<number> {
    const [lock] = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [this.lock]);
    if (!lock?.ok) return 0;
    const [wm] = await q.query<{ seen: string }>(`SELECT seen::text FROM ${this.watermarkTable} FOR UPDATE`);
    const [now] = await q.query<{ seen: string }>('SELECT pg_current_snapshot()::text AS seen');
    const window = { before: wm?.seen as string, after: now?.seen as string };
    const counted = await this.process(q, window);
    await q.query(`UPDATE ${this.watermarkTable} SET seen = $1::pg_snapshot`, [window.after]);
    return counted;
  }
}
