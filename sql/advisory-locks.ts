// Every PostgreSQL advisory lock key the cloud takes, in one place, so no two jobs share a key by accident.
//
// Two jobs that share a key skip or wait for each other although their work does not conflict: the KPI refresher and
// the double-admission detector once both used 7411902301, and on Postgres each pass of one made the other skip.
// Add a key here, never a literal at the call site; advisory-locks.test.ts checks the keys are distinct and that no
// other file takes an advisory lock on a number of its own.
//
// Keys of the single-bigint form (pg_advisory_xact_lock(bigint)) and of the two-int form (pg_advisory_xact_lock(int,
// int)) live in separate key spaces in Postgres (pg_locks.objsubid 1 and 2), so a two-int class cannot collide with a
// bigint key.

/** Single-bigint keys: one job, one key. Changing a value splits replicas of two releases, so values never change. */
export const ADVISORY_LOCKS = {
  /** sql/migrate.ts: replicas starting at once apply migrations one after another (blocking). */
  migrations: 7_411_902_233,
  /** cloud-sync/kpi/kpi.ts: one KPI view refresh at a time across replicas (try: a busy replica skips its turn). */
  kpiRefresh: 7_411_902_301,
  /** cloud-sync/double-admission-detector.ts: one detector pass at a time across replicas (try). */
  doubleAdmissionPass: 7_411_902_302,
  /** cloud-sync/kpi/partitions.ts: one partition maintenance at a time (blocking; the second finds the work done). */
  partitionMaintenance: 7_411_902_303,
  /** cloud-sync/billing/passes.ts: one billing pass (usage rows, month close) at a time across replicas (try). */
  billingPass: 7_411_902_304,
  /** cloud-sync/seating/assign-metrics.ts: one assign metrics pass at a time across replicas (try). */
  assignMetricsPass: 7_411_902_305,
} as const;

export type AdvisoryLockName = keyof typeof ADVISORY_LOCKS;

/**
 * Two-int class keys (pg_advisory_xact_lock(class, hashtext(...))): one lock per object of a kind. Taken in SQL, by the
 * functions named; the value here documents it and is checked against the migration text by the test.
 */
export const ADVISORY_LOCK_CLASSES = {
  /** guestlist.lock_venue() (sql/postgres/0009): writers of one venue's guest list take versions in commit order. */
  guestlistVenue: 7411,
} as const;
